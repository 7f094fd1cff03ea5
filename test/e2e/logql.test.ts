/**
 * Every Loki query Grafana is provisioned with, checked against what Loki would store of the log records the real
 * collector exports (Loki is AGPL and never built here: src/stack/loki-otlp.ts writes its documented OTLP mapping
 * down, src/stack/logql-check.ts runs a query over the result). After one request through the lab, with the third
 * party failing so its trace also has warning lines: each dashboard LogQL, Tempo's trace → logs template filled from
 * a real span the way Grafana fills it, and the Loki derived field that links a line back to its trace.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import {
  datasources,
  derivedFields,
  fillSpanTemplate,
  panelLogQL,
  substitute,
  tracesToLogsQuery,
  usesService,
} from "../../src/stack/dashboard-queries.ts";
import { checkLogQL } from "../../src/stack/logql-check.ts";
import { type LokiEntry, lokiEntry } from "../../src/stack/loki-otlp.ts";
import { lab } from "./lab.ts";
import { pollUntil, type SinkLogRecord, type SinkSpan } from "./peers.ts";

const l = await lab();

let traceId = "";
/** The roles that logged in the request. */
let services: string[] = [];
/** The request's spans as the collector exported them. */
let spans: SinkSpan[] = [];

const serviceOf = (r: SinkLogRecord) => String(r.resource["service.name"]);
/** The request's records the collector has exported (of one service, if given). */
const requestRecords = (service?: string) =>
  l.sink
    .logRecords()
    .filter((r) => r.record.traceId === traceId && (service === undefined || serviceOf(r) === service));
/** Everything the collector exported, as Loki would store it. */
const allEntries = () => l.sink.logRecords().map(lokiEntry);
const key = (e: LokiEntry) => `${e.labels.service_name} ${e.metadata.span_id} ${e.line}`;

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

describe("Loki's view of the exported records", () => {
  test("every role's records carry the index labels the lab's queries select on, and trace_id as metadata", () => {
    const entries = requestRecords().map(lokiEntry);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(Object.keys(e.labels)).toEqual(
        expect.arrayContaining(["service_name", "service_namespace", "deployment_environment_name"]),
      );
      expect(e.metadata.trace_id).toBe(traceId);
      expect(e.labels.trace_id).toBeUndefined();
    }
  });

  test("the request has warning lines (the dashboards' error panel has something to show)", () => {
    expect(requestRecords().some((r) => /warn|error/i.test(r.record.severityText ?? ""))).toBe(true);
  });
});

describe("every dashboard LogQL selects the request's records", () => {
  for (const q of panelLogQL()) {
    test(`${q.source}${usesService(q.expr) ? ", for every role that logged in the request" : ""}`, () => {
      const entries = allEntries();
      const runs = usesService(q.expr)
        ? services.map((service) => ({ service, logql: substitute(q.expr, { service }) }))
        : [{ service: undefined, logql: substitute(q.expr) }];
      for (const { service, logql } of runs) {
        const { problems, selected } = checkLogQL(logql, entries);
        expect(`${q.source}: ${logql}: ${problems.join("; ") || "ok"}`).toBe(`${q.source}: ${logql}: ok`);
        const chosen = new Set(selected.map(key));
        const mine = requestRecords(service).map(lokiEntry);
        expect(mine.some((e) => chosen.has(key(e)))).toBe(true);
      }
    });
  }
});

describe("trace → logs: Tempo's template, filled from a real span, selects exactly that service's records of the trace", () => {
  test("for each service's span", () => {
    const template = tracesToLogsQuery();
    expect(template).toMatch(/\$\{__span\.traceId\}/);
    const byService = new Map(spans.map((s) => [String(s.resource["service.name"]), s]));
    for (const role of services) expect(byService.has(role)).toBe(true);
    for (const [service, span] of byService) {
      const query = fillSpanTemplate(template, {
        traceId: span.span.traceId,
        spanId: span.span.spanId,
        tags: { ...span.resource, ...span.attributes },
      });
      expect(query).not.toMatch(/\$\{/);
      const { problems, selected } = checkLogQL(query, allEntries());
      const want = requestRecords(service).map(lokiEntry).map(key).sort();
      const problem = want.length === 0 ? "" : problems.join("; ");
      expect(`${service}: ${problem || "ok"}`).toBe(`${service}: ok`);
      expect(selected.map(key).sort()).toEqual(want);
    }
  });
});

describe("logs → trace: the Loki derived field finds the trace id on every line", () => {
  test("a derived field links to Tempo", () => {
    const tempo = datasources().find((d) => d.type === "tempo")?.uid;
    expect(derivedFields().some((f) => f.datasourceUid === tempo)).toBe(true);
  });

  for (const field of derivedFields()) {
    test(`${field.name}: ${field.matcherRegex} is structured metadata holding the trace id of every request line`, () => {
      // Grafana's label matcher reads the label of that name; here it is structured metadata, not an index label.
      expect(field.matcherType).toBe("label");
      for (const e of requestRecords().map(lokiEntry)) {
        expect(e.metadata[field.matcherRegex]).toBe(traceId);
        expect(e.labels[field.matcherRegex]).toBeUndefined();
        expect((field.url ?? "").replace(/\$\{__value\.raw\}/, e.metadata[field.matcherRegex] ?? "")).toBe(traceId);
      }
    });
  }
});
