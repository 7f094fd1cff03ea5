/**
 * One trace from Tempo's trace API (`GET /api/traces/<id>`), as the waterfall shows it. Tempo answers OTLP JSON
 * marshalled by Go's jsonpb: resource spans under `batches` (v2 and plain OTLP JSON say `resourceSpans`), trace and
 * span ids in base64 rather than OTLP's hex, enums as names ("SPAN_KIND_SERVER") rather than numbers. Both spellings
 * are read.
 */
import { reason } from "./prometheus.ts";

export interface SpanEvent {
  name: string;
  /** milliseconds after the span's start */
  offsetMs: number;
  attributes: Array<[string, string]>;
}

export interface TraceSpan {
  spanId: string;
  parentId: string | null;
  name: string;
  service: string;
  kind: string;
  /** unix milliseconds (fractional) */
  start: number;
  durationMs: number;
  status: "ok" | "error" | "unset";
  statusMessage: string;
  attributes: Array<[string, string]>;
  events: SpanEvent[];
}

export interface Trace {
  traceId: string;
  /** Depth-first, children by start time: the waterfall's order. */
  spans: TraceSpan[];
  /** Depth of each span in the tree, by span id. */
  depth: Record<string, number>;
}

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface RawSpan {
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: KeyValue[];
  events?: Array<{ name?: string; timeUnixNano?: string | number; attributes?: KeyValue[] }>;
  status?: { code?: number | string; message?: string };
}
interface ResourceSpans {
  resource?: { attributes?: KeyValue[] };
  scopeSpans?: Array<{ spans?: RawSpan[] }>;
  /** Before OTLP 0.15 (older Tempo answers). */
  instrumentationLibrarySpans?: Array<{ spans?: RawSpan[] }>;
}
export interface TraceAnswer {
  batches?: ResourceSpans[];
  resourceSpans?: ResourceSpans[];
  trace?: { resourceSpans?: ResourceSpans[] };
}

/** An id as hex: OTLP JSON's hex is kept, jsonpb's base64 is decoded. */
export function hexId(id: string | undefined): string {
  if (!id) return "";
  if (/^[0-9a-fA-F]+$/.test(id) && (id.length === 16 || id.length === 32)) return id.toLowerCase();
  return Buffer.from(id, "base64").toString("hex");
}

function valueText(v: AnyValue | undefined): string {
  if (!v) return "";
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.arrayValue) return `[${(v.arrayValue.values ?? []).map(valueText).join(", ")}]`;
  if (v.kvlistValue)
    return `{${(v.kvlistValue.values ?? []).map((kv) => `${kv.key}=${valueText(kv.value)}`).join(", ")}}`;
  return "";
}

function pairs(kvs: KeyValue[] | undefined): Array<[string, string]> {
  return (kvs ?? []).map((kv) => [kv.key, valueText(kv.value)]);
}

const KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"];

function kindName(kind: number | string | undefined): string {
  if (typeof kind === "number") return KINDS[kind] ?? "unspecified";
  return (kind ?? "").replace(/^SPAN_KIND_/, "").toLowerCase() || "unspecified";
}

function statusOf(code: number | string | undefined): TraceSpan["status"] {
  if (code === 2 || code === "STATUS_CODE_ERROR") return "error";
  if (code === 1 || code === "STATUS_CODE_OK") return "ok";
  return "unset";
}

const nanosToMs = (nanos: string | number | undefined) => Number(BigInt(nanos ?? 0) / 1000n) / 1000;

/** The trace of an answer, in waterfall order; spans whose parent is missing are roots. */
export function parseTrace(traceId: string, answer: TraceAnswer): Trace {
  const batches = answer.batches ?? answer.resourceSpans ?? answer.trace?.resourceSpans ?? [];
  const spans: TraceSpan[] = [];
  for (const batch of batches) {
    const service = pairs(batch.resource?.attributes).find(([k]) => k === "service.name")?.[1] ?? "?";
    for (const scope of [...(batch.scopeSpans ?? []), ...(batch.instrumentationLibrarySpans ?? [])]) {
      for (const raw of scope.spans ?? []) {
        const start = nanosToMs(raw.startTimeUnixNano);
        spans.push({
          spanId: hexId(raw.spanId),
          parentId: hexId(raw.parentSpanId) || null,
          name: raw.name ?? "?",
          service,
          kind: kindName(raw.kind),
          start,
          durationMs: Math.max(0, nanosToMs(raw.endTimeUnixNano) - start),
          status: statusOf(raw.status?.code),
          statusMessage: raw.status?.message ?? "",
          attributes: pairs(raw.attributes),
          events: (raw.events ?? []).map((e) => ({
            name: e.name ?? "?",
            offsetMs: nanosToMs(e.timeUnixNano) - start,
            attributes: pairs(e.attributes),
          })),
        });
      }
    }
  }
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, TraceSpan[]>();
  for (const span of spans) {
    const parent = span.parentId && ids.has(span.parentId) ? span.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ordered: TraceSpan[] = [];
  const depth: Record<string, number> = {};
  const visit = (parent: string | null, level: number) => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => a.start - b.start)) {
      if (span.spanId in depth) continue;
      depth[span.spanId] = level;
      ordered.push(span);
      visit(span.spanId, level + 1);
    }
  };
  visit(null, 0);
  return { traceId, spans: ordered, depth };
}

/** The spans shown when the spans in `folded` hide their descendants. */
export function visibleSpans(trace: Trace, folded: readonly string[]): TraceSpan[] {
  const out: TraceSpan[] = [];
  let hideBelow: number | null = null;
  for (const span of trace.spans) {
    const level = trace.depth[span.spanId] ?? 0;
    if (hideBelow !== null && level > hideBelow) continue;
    hideBelow = folded.includes(span.spanId) ? level : null;
    out.push(span);
  }
  return out;
}

/** Whether a span has children (so folding it hides something). */
export function hasChildren(trace: Trace, spanId: string): boolean {
  return trace.spans.some((s) => s.parentId === spanId);
}

/** The slowest span of `service`, the one a learner looks at first; else the slowest span. */
export function slowestSpanIndex(trace: Trace, service?: string): number {
  let best = -1;
  trace.spans.forEach((s, i) => {
    if (service && s.service !== service) return;
    if (best < 0 || s.durationMs > (trace.spans[best]?.durationMs ?? 0)) best = i;
  });
  return best < 0 ? (service ? slowestSpanIndex(trace) : 0) : best;
}

/** Fetches one trace; a trace Tempo does not have (404) is a plain sentence. */
export async function fetchTrace(tempoUrl: string, traceId: string, request: typeof fetch = fetch): Promise<Trace> {
  const url = `${tempoUrl.replace(/\/$/, "")}/api/traces/${encodeURIComponent(traceId)}`;
  let response: Response;
  try {
    response = await request(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new Error(`Tempo is unreachable at ${tempoUrl} (${reason(error)})`);
  }
  if (response.status === 404) throw new Error(`Tempo has no trace ${traceId} (yet: traces arrive within seconds)`);
  if (!response.ok)
    throw new Error(`Tempo answered ${response.status}: ${(await response.text()).trim().slice(0, 200)}`);
  return parseTrace(traceId, (await response.json()) as TraceAnswer);
}
