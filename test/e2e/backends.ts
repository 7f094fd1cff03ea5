/**
 * Tempo and Loki stand-ins (both AGPL: never run here), answering the parts of their documented HTTP APIs the lab's
 * checks call, from what the real collector exported to the e2e sink:
 * - Tempo: `GET /api/v2/traces/<id>` (`{trace: {resourceSpans}}`, 404 when unknown) and `GET /api/search?q=&start=&end=&limit=`
 *   (`{traces: [{traceID, rootServiceName, rootTraceName, startTimeUnixNano, durationMs}]}`), TraceQL spansets of
 *   `&&`-joined conditions as the lab writes them; anything else is a 400 naming it.
 * - Loki: `GET /loki/api/v1/query_range?query=&start=&end=&limit=&direction=` (`{status, data: {resultType: "streams",
 *   result: [{stream, values: [[ns, line]]}]}}`), the records stored under Loki's OTLP mapping (src/stack/loki-otlp.ts)
 *   and selected by src/stack/logql-check.ts.
 */
import { checkLogQL } from "../../src/stack/logql-check.ts";
import { type LokiEntry, lokiEntry } from "../../src/stack/loki-otlp.ts";
import { syntaxErrors } from "../../src/stack/query-syntax.ts";
import type { Sink, SinkSpan } from "./peers.ts";

export interface StandIn {
  readonly url: string;
  stop(): Promise<void>;
}

const OTLP_KIND: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const OTLP_STATUS: Record<string, number> = { unset: 0, ok: 1, error: 2 };

type SpanTest = (span: SinkSpan) => boolean;
interface Spanset {
  readonly span: SpanTest[];
  /** traceDuration conditions: on the whole trace, in ms */
  readonly trace: Array<(durationMs: number) => boolean>;
}

function compare(op: string, actual: number, expected: number): boolean {
  if (op === ">=") return actual >= expected;
  if (op === ">") return actual > expected;
  if (op === "<=") return actual <= expected;
  if (op === "<") return actual < expected;
  return op === "=" ? actual === expected : actual !== expected;
}

function millis(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(value);
  if (!m) throw new Error(`not a duration: ${value}`);
  const scale: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return Number(m[1]) * (scale[m[2] ?? "ms"] ?? 1);
}

const spanMs = (s: SinkSpan) =>
  Number(BigInt(s.span.endTimeUnixNano ?? "0") - BigInt(s.span.startTimeUnixNano ?? "0")) / 1e6;

/** One `{ a && b && … }` spanset; throws on anything else. */
export function parseTraceQL(query: string): Spanset {
  const syntax = syntaxErrors("traceql", query);
  if (syntax.length > 0) throw new Error(syntax.join("; "));
  const body = /^\{(.*)\}$/s.exec(query.trim())?.[1];
  if (body === undefined || /\|\||\}\s*[|&>~]/.test(body))
    throw new Error(`stand-in only evaluates one && spanset: ${query}`);
  const set: { span: SpanTest[]; trace: Spanset["trace"] } = { span: [], trace: [] };
  for (const raw of body.split("&&").map((c) => c.trim())) {
    const m = /^([\w.]+)\s*(>=|<=|!=|=|>|<)\s*(.+)$/.exec(raw);
    if (!m) throw new Error(`stand-in cannot evaluate ${raw}`);
    const [, field = "", op = "", value = ""] = m;
    const text = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    const equal = (actual: unknown) => (op === "=" ? actual === text : op === "!=" ? actual !== text : Number.NaN);
    if (field === "traceDuration") set.trace.push((ms) => compare(op, ms, millis(value)));
    else if (field === "duration") set.span.push((s) => compare(op, spanMs(s), millis(value)));
    else if (field === "kind") set.span.push((s) => compare(op, s.span.kind ?? 0, OTLP_KIND[value] ?? -1));
    else if (field === "status") set.span.push((s) => compare(op, s.span.status?.code ?? 0, OTLP_STATUS[value] ?? -1));
    else if (field === "name") set.span.push((s) => equal(s.span.name) === true);
    else if (field.startsWith("resource.")) set.span.push((s) => equal(s.resource[field.slice(9)]) === true);
    else if (field.startsWith("span.")) set.span.push((s) => equal(s.attributes[field.slice(5)]) === true);
    else throw new Error(`stand-in cannot evaluate ${raw}`);
  }
  return set;
}

function otlpTrace(spans: SinkSpan[]) {
  const byResource = new Map<string, SinkSpan[]>();
  for (const s of spans) {
    const key = JSON.stringify(s.resource);
    byResource.set(key, [...(byResource.get(key) ?? []), s]);
  }
  return [...byResource.values()].map((group) => ({
    resource: {
      attributes: Object.entries(group[0]?.resource ?? {}).map(([key, v]) => ({
        key,
        value: { stringValue: String(v) },
      })),
    },
    scopeSpans: [{ spans: group.map((s) => s.span) }],
  }));
}

export function startTempo(sink: Pick<Sink, "spans">): StandIn {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      const byTrace = (id: string) => sink.spans().filter((s) => s.span.traceId === id);
      const traceMatch = /^\/api\/v2\/traces\/([0-9a-f]+)$/.exec(url.pathname);
      if (traceMatch) {
        const spans = byTrace(traceMatch[1] ?? "");
        if (spans.length === 0) return new Response("trace not found", { status: 404 });
        return Response.json({ trace: { resourceSpans: otlpTrace(spans) } });
      }
      if (url.pathname !== "/api/search") return new Response("not found", { status: 404 });
      let set: Spanset;
      try {
        set = parseTraceQL(url.searchParams.get("q") ?? "{}");
      } catch (error) {
        return new Response((error as Error).message, { status: 400 });
      }
      const start = BigInt(url.searchParams.get("start") ?? "0") * 1_000_000_000n;
      const end = BigInt(url.searchParams.get("end") ?? String(2 ** 40)) * 1_000_000_000n;
      const limit = Number(url.searchParams.get("limit") ?? "20");
      const ids = new Set(
        sink
          .spans()
          .filter((s) => set.span.every((t) => t(s)))
          .map((s) => s.span.traceId),
      );
      const traces = [...ids].flatMap((id) => {
        const spans = byTrace(id);
        const first = spans.reduce(
          (a, s) => (BigInt(s.span.startTimeUnixNano ?? "0") < a ? BigInt(s.span.startTimeUnixNano ?? "0") : a),
          2n ** 63n,
        );
        const last = spans.reduce(
          (a, s) => (BigInt(s.span.endTimeUnixNano ?? "0") > a ? BigInt(s.span.endTimeUnixNano ?? "0") : a),
          0n,
        );
        const durationMs = Number(last - first) / 1e6;
        if (first < start || first > end || !set.trace.every((t) => t(durationMs))) return [];
        const root = spans.find((s) => !s.span.parentSpanId);
        const rootFields = root
          ? { rootServiceName: String(root.resource["service.name"]), rootTraceName: root.span.name }
          : {};
        return [{ traceID: id, ...rootFields, startTimeUnixNano: String(first), durationMs: Math.round(durationMs) }];
      });
      traces.sort((a, b) => (BigInt(b.startTimeUnixNano) > BigInt(a.startTimeUnixNano) ? 1 : -1));
      return Response.json({ traces: traces.slice(0, limit) });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

export function startLoki(sink: Pick<Sink, "logRecords">): StandIn {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      if (url.pathname !== "/loki/api/v1/query_range") return new Response("404 page not found", { status: 404 });
      const query = url.searchParams.get("query") ?? "";
      const syntax = syntaxErrors("logql", query);
      if (syntax.length > 0) return new Response(`parse error: ${syntax.join("; ")}`, { status: 400 });
      const start = BigInt(url.searchParams.get("start") ?? "0");
      const end = BigInt(url.searchParams.get("end") ?? String(Date.now() * 1e6));
      const limit = Number(url.searchParams.get("limit") ?? "100");
      const times = new Map<LokiEntry, bigint>();
      for (const r of sink.logRecords()) {
        const time = BigInt(r.record.timeUnixNano || r.record.observedTimeUnixNano || "0");
        if (time >= start && time <= end) times.set(lokiEntry(r), time);
      }
      const verdict = checkLogQL(query, [...times.keys()]);
      const unsupported = verdict.problems.filter((p) => p.startsWith("cannot check"));
      if (unsupported.length > 0) return new Response(`stand-in: ${unsupported.join("; ")}`, { status: 400 });
      const backward = url.searchParams.get("direction") !== "forward";
      const picked = verdict.selected
        .map((e) => ({ e, t: times.get(e) ?? 0n }))
        .sort((a, b) => (backward ? (b.t > a.t ? 1 : -1) : a.t > b.t ? 1 : -1))
        .slice(0, limit);
      const streams = new Map<string, { stream: Record<string, string>; values: Array<[string, string]> }>();
      for (const { e, t } of picked) {
        const key = JSON.stringify(e.labels);
        const stream = streams.get(key) ?? { stream: { ...e.labels }, values: [] };
        stream.values.push([String(t), e.line]);
        streams.set(key, stream);
      }
      return Response.json({ status: "success", data: { resultType: "streams", result: [...streams.values()] } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}
