/**
 * Every Loki query Grafana is provisioned with, run against the real Loki after one request through the lab: each
 * dashboard LogQL (variables substituted, over the dashboard's time range), Tempo's trace → logs template filled
 * from a real span the way Grafana fills it, and the Loki derived field that links a line back to its trace.
 * The request runs with the third party failing, so its trace also has warning lines (service-a degrades, it
 * does not fail). "The request's lines" are the log records of its trace that the collector exported (the sink
 * saw them and handed the same bodies to Loki).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  dashboards,
  datasources,
  panelLogQL,
  substitute,
  tracesToLogsQuery,
  usesService,
} from "../../src/stack/dashboard-queries.ts";
import { lab } from "./lab.ts";
import { cachePaths, type LokiLine, pollUntil, REPO_ROOT, type SinkLogRecord, type SinkSpan } from "./peers.ts";

const l = await lab();

interface LokiJsonData {
  maxLines?: number;
  derivedFields?: Array<{
    name: string;
    matcherType?: string;
    matcherRegex: string;
    datasourceUid?: string;
    url?: string;
  }>;
}
interface TempoTracesToLogs {
  tracesToLogsV2?: { datasourceUid?: string; spanStartTimeShift?: string; spanEndTimeShift?: string };
}
const loki = datasources().find((d) => d.type === "loki");
const lokiJson = (loki?.jsonData ?? {}) as LokiJsonData;
const tracesToLogs = ((datasources().find((d) => d.type === "tempo")?.jsonData ?? {}) as TempoTracesToLogs)
  .tracesToLogsV2;
const limit = lokiJson.maxLines ?? 1000;

/** Grafana's relative durations as used here: `5m`, `-5m`, `30s`, `1h`. */
function durationMs(text: string): number {
  const m = /^(-?)(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`unsupported duration ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[3] as "ms" | "s" | "m" | "h" | "d"];
  return (m[1] ? -1 : 1) * Number(m[2]) * unit;
}

/** A dashboard's time range (`now-15m` … `now`) in ms since the epoch. */
function dashboardRange(file: string): { start: number; end: number } {
  const time = (dashboards().get(file) as { time?: { from?: string; to?: string } } | undefined)?.time ?? {};
  const at = (t: string | undefined) =>
    t && t !== "now" ? Date.now() + durationMs(t.replace(/^now/, "")) : Date.now();
  return { start: at(time.from ?? "now-1h"), end: at(time.to) };
}

/** A line as the sink and Loki both know it: service, timestamp (ns) and body. */
const key = (service: unknown, ns: unknown, line: unknown) => `${String(service)} ${String(ns)} ${String(line)}`;
const sinkKey = ({ resource, record }: SinkLogRecord) =>
  key(
    resource["service.name"],
    record.timeUnixNano && record.timeUnixNano !== "0" ? record.timeUnixNano : record.observedTimeUnixNano,
    record.body?.stringValue,
  );
const lokiKey = (line: LokiLine) => key(line.stream.service_name, line.timestamp, line.line);

let traceId = "";
/** The roles that logged in the request. */
let services: string[] = [];
/** The request's spans as the collector exported them. */
let spans: SinkSpan[] = [];

/** The request's log records the collector has exported so far (the sink lists a record once Loki has it). */
const requestRecords = (service?: string) =>
  l.sink
    .logRecords()
    .filter((r) => r.record.traceId === traceId && (service === undefined || r.resource["service.name"] === service));
const serviceOf = (r: SinkLogRecord) => String(r.resource["service.name"]);

beforeAll(async () => {
  l.thirdParty.setFailure(503);
  try {
    const { status, body } = await l.get("/api/process");
    expect(status).toBe(200);
    traceId = String(body.trace_id);
  } finally {
    l.thirdParty.setFailure(null);
  }
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  // The trace's records come from several roles (service-c's after Kafka): wait until no role is added for 3 s.
  let last = { roles: "", at: Date.now() };
  services = await pollUntil(
    `the roles logging in trace ${traceId} to settle in the sink`,
    () => {
      const roles = [...new Set(requestRecords().map(serviceOf))].sort();
      if (roles.join() !== last.roles) last = { roles: roles.join(), at: Date.now() };
      return roles.length > 0 && Date.now() - last.at > 3000 ? roles : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  spans = await l.sink.waitFor(() => l.sink.spans().filter((s) => s.span.traceId === traceId), 30_000, "spans");
}, 120_000);

/**
 * Runs a LogQL query until its answer satisfies `done` (default: it has some of the request's lines, recognised by
 * service, timestamp and body, not by trace id); returns the whole answer.
 */
async function run(
  logql: string,
  range: { start: number; end: number },
  done: (lines: LokiLine[]) => boolean = (lines) => ofRequest(lines).length > 0,
): Promise<LokiLine[]> {
  let lines: LokiLine[] = [];
  await pollUntil(
    `Loki to return the request's lines for ${logql}`,
    async () => {
      lines = await l.loki.queryRange(logql, { ...range, limit });
      return done(lines);
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  ).catch(() => undefined);
  return lines;
}

/** The lines that are the request's log records. */
function ofRequest(lines: LokiLine[]): LokiLine[] {
  const known = new Set(requestRecords().map(sinkKey));
  return lines.filter((line) => known.has(lokiKey(line)));
}

/** Every dashboard LogQL with its variables substituted: for the service variable, each role that logged. */
function dashboardQueries(): { source: string; logql: string; range: { start: number; end: number } }[] {
  return panelLogQL().flatMap((q) => {
    const range = dashboardRange(q.source.split(" › ")[0] ?? "");
    return usesService(q.expr)
      ? services.map((service) => ({
          source: `${q.source} (${service})`,
          logql: substitute(q.expr, { service }),
          range,
        }))
      : [{ source: q.source, logql: substitute(q.expr), range }];
  });
}

describe("Loki stores what the collector exports", () => {
  test("Loki accepted every logs body the collector sent", () => {
    expect(l.sink.lokiErrors()).toEqual([]);
  });

  test("the request has warning lines (the dashboards' error panel has something to show)", () => {
    expect(requestRecords().some((r) => /warn|error/i.test(r.record.severityText ?? ""))).toBe(true);
  });
});

describe("every dashboard LogQL returns the request's lines", () => {
  for (const q of panelLogQL()) {
    test(`${q.source}${usesService(q.expr) ? ", for every role that logged in the request" : ""}`, async () => {
      for (const d of dashboardQueries().filter((d) => d.source.startsWith(q.source))) {
        const lines = ofRequest(await run(d.logql, d.range));
        expect(lines.length > 0 ? "the request's lines" : `none of the request's lines: ${d.logql}`).toBe(
          "the request's lines",
        );
      }
    });
  }
});

describe("trace → logs: Tempo's template, filled from a real span, returns that service's lines of the trace", () => {
  /** What Grafana puts in for `${__span.…}`: the span's trace id and its tags (resource and span attributes). */
  function fill(template: string, span: SinkSpan): string {
    const tags: Record<string, unknown> = { ...span.resource, ...span.attributes };
    return template
      .replace(/\$\{__span\.tags\["([^"]+)"\]\}/g, (_m, tag: string) => String(tags[tag] ?? ""))
      .replace(/\$\{__span\.tags\.([\w.]+)\}/g, (_m, tag: string) => String(tags[tag] ?? ""))
      .replace(/\$\{__span\.traceId\}/g, span.span.traceId)
      .replace(/\$\{__span\.spanId\}/g, span.span.spanId);
  }

  test("the query for each service's span returns exactly that service's records of the trace", async () => {
    const template = tracesToLogsQuery();
    expect(template).toMatch(/\$\{__span\.traceId\}/);
    const byService = new Map(spans.map((s) => [String(s.resource["service.name"]), s]));
    for (const role of services) expect(byService.has(role)).toBe(true);
    for (const [service, span] of byService) {
      const query = fill(template, span);
      expect(query).not.toMatch(/\$\{/);
      const nanosToMs = (ns: string | undefined) => Number(BigInt(ns ?? "0") / 1_000_000n);
      const range = {
        start: nanosToMs(span.span.startTimeUnixNano) + durationMs(tracesToLogs?.spanStartTimeShift ?? "0s"),
        end: nanosToMs(span.span.endTimeUnixNano) + durationMs(tracesToLogs?.spanEndTimeShift ?? "0s"),
      };
      // Exactly: every record the sink had before the query (all of them, unless Loki's line limit cut the answer),
      // and nothing the sink does not have after it.
      let problem = "";
      await pollUntil(
        `trace → logs for ${service} to return its records of the trace`,
        async () => {
          const before = new Set(requestRecords(service).map(sinkKey));
          const lines = await l.loki.queryRange(query, { ...range, limit });
          const after = new Set(requestRecords(service).map(sinkKey));
          const got = new Set(lines.map(lokiKey));
          const missing = lines.length < limit ? [...before].filter((k) => !got.has(k)) : [];
          const foreign = lines.filter((line) => !after.has(lokiKey(line)));
          problem = missing.length
            ? `${missing.length} of ${before.size} records missing, e.g. ${missing[0]}`
            : foreign.length
              ? `${foreign.length} lines not of the request, e.g. ${lokiKey(foreign[0] as LokiLine)}`
              : "";
          return !problem && (before.size > 0 || lines.length === 0);
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      ).catch(() => undefined);
      expect(`${service}: ${problem || "ok"}`).toBe(`${service}: ok`);
    }
  });
});

describe("logs → trace: the Loki derived field finds the trace id on every line", () => {
  const fields = lokiJson.derivedFields ?? [];

  test("a derived field links to Tempo", () => {
    const tempo = datasources().find((d) => d.type === "tempo")?.uid;
    expect(fields.some((f) => f.datasourceUid === tempo)).toBe(true);
  });

  for (const field of fields) {
    test(`${field.name}: on the request's lines every dashboard LogQL returns, ${field.matcherRegex} is its trace id`, async () => {
      // Grafana's label matcher reads the label of that name; here it is structured metadata, not an index label.
      expect(field.matcherType).toBe("label");
      for (const d of dashboardQueries()) {
        const lines = ofRequest(await run(d.logql, d.range));
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) {
          expect(line.structuredMetadata[field.matcherRegex]).toBe(traceId);
          expect(line.stream[field.matcherRegex]).toBeUndefined();
          expect(
            (field.url ?? "").replace(/\$\{__value\.raw\}/, line.structuredMetadata[field.matcherRegex] ?? ""),
          ).toBe(traceId);
        }
      }
    });
  }
});

describe("the Loki the tests run", () => {
  test("is the version compose runs, and accepts stack/loki/loki.yaml as it is", async () => {
    const compose = await Bun.file(join(REPO_ROOT, "stack/compose.yaml")).text();
    expect(compose).toContain(`grafana/loki:${cachePaths().loki.version}`);
    const version = Bun.spawnSync([cachePaths().loki.binary, "-version"]).stdout.toString();
    expect(version).toContain(`version ${cachePaths().loki.version}`);
    const verify = Bun.spawnSync([cachePaths().loki.binary, `-config.file=${l.loki.configPath}`, "-verify-config"]);
    expect(verify.stderr.toString()).not.toMatch(/error/i);
    expect(verify.exitCode).toBe(0);
  });
});
