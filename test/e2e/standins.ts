/**
 * STAND-INS for Tempo's query API and Loki's query_range (both AGPL: never fetched, built or run here), written from
 * their documented HTTP APIs and fed by what the real collector exported to the e2e sink (the TUI's and the checks'):
 * - Tempo `GET /api/search?q=<TraceQL>&start&end&limit` answers `{ traces: [{ traceID, rootServiceName,
 *   rootTraceName, startTimeUnixNano, durationMs }] }`; `GET /api/traces/<id>` answers the trace as Tempo does:
 *   OTLP JSON marshalled by Go's jsonpb, resource spans under `batches`, ids in base64, enums by name; 404 when the
 *   trace is unknown. Only the TraceQL the TUI and the lab build is understood (see traceqlConditions);
 *   anything else is a 400, never a silently wrong answer.
 * - Loki `GET /loki/api/v1/query_range` answers `{ status, data: { resultType: "streams", result: [{ stream, values }] } }`,
 *   newest first, after storing each record the way Loki's documented OTLP mapping does (src/stack/loki-otlp.ts) and
 *   evaluating the LogQL with src/stack/logql-check.ts: a query naming a label no record carries is a 400, as the
 *   checker reports it. Structured metadata comes back merged into the stream labels (Loki's default encoding).
 * `GET /ready` answers 200 on both.
 */
import { checkLogQL } from "../../src/stack/logql-check.ts";
import { type LokiEntry, lokiEntry } from "../../src/stack/loki-otlp.ts";
import type { OtlpSpan, OtlpTracesRequest, Sink } from "./peers.ts";

const base64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");
const KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"].map((k) => `SPAN_KIND_${k}`);
const STATUS = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

/** A span re-marshalled the way Tempo's jsonpb does it. */
function asTempo(span: OtlpSpan): Record<string, unknown> {
  return {
    ...span,
    traceId: base64(span.traceId),
    spanId: base64(span.spanId),
    ...(span.parentSpanId ? { parentSpanId: base64(span.parentSpanId) } : {}),
    kind: KINDS[span.kind ?? 0] ?? KINDS[0],
    status: { ...span.status, code: STATUS[span.status?.code ?? 0] },
  };
}

/** Tempo's `GET /api/traces/<id>` answer for one trace, from the OTLP requests the collector sent to the sink. */
export function tempoTrace(requests: ReturnType<Sink["requests"]>, traceId: string): { batches: unknown[] } | null {
  const batches: unknown[] = [];
  for (const { path, body } of requests) {
    if (path !== "/v1/traces") continue;
    for (const rs of (body as OtlpTracesRequest).resourceSpans ?? []) {
      const scopeSpans = (rs.scopeSpans ?? [])
        .map((ss) => ({ ...ss, spans: (ss.spans ?? []).filter((s) => s.traceId === traceId).map(asTempo) }))
        .filter((ss) => ss.spans.length > 0);
      if (scopeSpans.length > 0) batches.push({ ...rs, scopeSpans });
    }
  }
  return batches.length > 0 ? { batches } : null;
}

interface Conditions {
  /** `resource.<attribute> = "value"` */
  resource: Record<string, string>;
  error: boolean;
  minDurationMs: number;
  /** SPAN_KIND_… of `kind = server|consumer|…` */
  kind?: string;
  name?: string;
  /** A span's own `duration >= Nms` / `duration < Nms` */
  spanMinMs?: number;
  spanBelowMs?: number;
}

/**
 * The TraceQL the TUI, the dashboards and the lab build: one spanset of `&&`-joined `resource.<attr> = "x"`, `status = error`,
 * `traceDuration >= Nms`, `kind = server`, `name = "x"`, `duration >= Nms` / `duration < Nms`.
 */
export function traceqlConditions(q: string): Conditions | string {
  const body = /^\{(.*)\}$/.exec(q.trim())?.[1];
  if (body === undefined) return `the stand-in only understands one spanset, got ${q}`;
  const conditions: Conditions = { resource: {}, error: false, minDurationMs: 0 };
  for (const part of body.split("&&").map((p) => p.trim().replace(/\s*(>=|<|=)\s*/, " $1 "))) {
    const resource = /^resource\.([\w.]+) = "([^"]+)"$/.exec(part);
    const duration = /^traceDuration >= (\d+)ms$/.exec(part);
    const kind = /^kind = (server|client|producer|consumer|internal)$/.exec(part);
    const name = /^name = "([^"]+)"$/.exec(part);
    const spanDuration = /^duration (>=|<) (\d+)ms$/.exec(part);
    if (resource) conditions.resource[resource[1] ?? ""] = resource[2] ?? "";
    else if (part === "status = error") conditions.error = true;
    else if (duration) conditions.minDurationMs = Number(duration[1]);
    else if (kind) conditions.kind = `SPAN_KIND_${kind[1]?.toUpperCase()}`;
    else if (name) conditions.name = name[1];
    else if (spanDuration?.[1] === ">=") conditions.spanMinMs = Number(spanDuration[2]);
    else if (spanDuration) conditions.spanBelowMs = Number(spanDuration[2]);
    else return `the stand-in does not understand ${part}`;
  }
  return conditions;
}

const nanos = (v: string | undefined) => BigInt(v ?? "0");

/** What the stand-ins read of the sink (a test may hand them less than it received). */
export type Feed = Pick<Sink, "spans" | "logRecords" | "requests">;

const spanMs = (s: ReturnType<Sink["spans"]>[number]) =>
  Number(nanos(s.span.endTimeUnixNano) - nanos(s.span.startTimeUnixNano)) / 1e6;

function search(sink: Feed, url: URL): Response {
  const conditions = traceqlConditions(url.searchParams.get("q") ?? "");
  if (typeof conditions === "string") return new Response(conditions, { status: 400 });
  const start = BigInt(url.searchParams.get("start") ?? "0") * 1_000_000_000n;
  const end = BigInt(url.searchParams.get("end") ?? `${Math.ceil(Date.now() / 1000)}`) * 1_000_000_000n;
  const limit = Number(url.searchParams.get("limit") ?? "20");
  const byTrace = new Map<string, ReturnType<Sink["spans"]>>();
  for (const s of sink.spans()) byTrace.set(s.span.traceId, [...(byTrace.get(s.span.traceId) ?? []), s]);
  const traces = [];
  for (const [traceID, spans] of byTrace) {
    const first = spans.reduce((a, b) => (nanos(a.span.startTimeUnixNano) <= nanos(b.span.startTimeUnixNano) ? a : b));
    const last = spans.reduce((a, b) => (nanos(a.span.endTimeUnixNano) >= nanos(b.span.endTimeUnixNano) ? a : b));
    const begin = nanos(first.span.startTimeUnixNano);
    const durationMs = Number((nanos(last.span.endTimeUnixNano) - begin) / 1_000_000n);
    if (begin < start || begin > end || durationMs < conditions.minDurationMs) continue;
    const matching = spans.filter(
      (s) =>
        Object.entries(conditions.resource).every(([k, v]) => s.resource[k] === v) &&
        (!conditions.error || s.span.status?.code === 2) &&
        (!conditions.kind || KINDS[s.span.kind ?? 0] === conditions.kind) &&
        (!conditions.name || s.span.name === conditions.name) &&
        (conditions.spanMinMs === undefined || spanMs(s) >= conditions.spanMinMs) &&
        (conditions.spanBelowMs === undefined || spanMs(s) < conditions.spanBelowMs),
    );
    if (matching.length === 0) continue;
    const root = spans.find((s) => !s.span.parentSpanId);
    traces.push({
      traceID,
      rootServiceName: root ? String(root.resource["service.name"]) : "<root span not yet received>",
      ...(root ? { rootTraceName: root.span.name } : {}),
      startTimeUnixNano: String(begin),
      durationMs,
    });
  }
  traces.sort((a, b) => Number(BigInt(b.startTimeUnixNano) - BigInt(a.startTimeUnixNano)));
  return Response.json({ traces: traces.slice(0, limit), metrics: { inspectedTraces: byTrace.size } });
}

function queryRange(sink: Feed, url: URL): Response {
  const query = url.searchParams.get("query") ?? "";
  const start = BigInt(url.searchParams.get("start") ?? "0");
  const end = BigInt(url.searchParams.get("end") ?? `${BigInt(Date.now()) * 1_000_000n}`);
  const limit = Number(url.searchParams.get("limit") ?? "100");
  const times = new Map<LokiEntry, bigint>();
  for (const log of sink.logRecords()) {
    const time = nanos(log.record.timeUnixNano) || nanos(log.record.observedTimeUnixNano);
    if (time >= start && time <= end) times.set(lokiEntry(log), time);
  }
  const verdict = checkLogQL(query, [...times.keys()]);
  // An empty selection is an empty answer; a query Loki would refuse or that names unknown labels is an error.
  const problems = verdict.problems.filter((p) => !p.startsWith("selects none"));
  if (problems.length > 0 && times.size > 0) {
    return Response.json({ status: "error", errorType: "bad_data", error: problems.join("; ") }, { status: 400 });
  }
  const newest = verdict.selected.sort((a, b) => Number((times.get(b) ?? 0n) - (times.get(a) ?? 0n))).slice(0, limit);
  const streams = new Map<string, { stream: Record<string, string>; values: Array<[string, string]> }>();
  for (const entry of newest) {
    const stream = { ...entry.labels, ...entry.metadata };
    const key = JSON.stringify(Object.entries(stream).sort());
    const found = streams.get(key) ?? { stream, values: [] };
    found.values.push([String(times.get(entry)), entry.line]);
    streams.set(key, found);
  }
  return Response.json({ status: "success", data: { resultType: "streams", result: [...streams.values()] } });
}

/** Serves both stand-ins on a free loopback port; `url` is the Tempo URL and the Loki URL alike. */
export function startStandins(sink: Feed): { url: string; stop(): Promise<void> } {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      if (req.method !== "GET") return new Response("method not allowed", { status: 405 });
      if (url.pathname === "/ready") return new Response("ready");
      if (url.pathname === "/api/search") return search(sink, url);
      const trace = /^\/api\/traces\/([0-9a-fA-F]{32})$/.exec(url.pathname);
      if (trace) {
        const answer = tempoTrace(sink.requests(), (trace[1] as string).toLowerCase());
        return answer ? Response.json(answer) : new Response("trace not found", { status: 404 });
      }
      if (url.pathname === "/loki/api/v1/query_range") return queryRange(sink, url);
      return new Response("not found", { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}
