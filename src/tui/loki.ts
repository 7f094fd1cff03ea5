/**
 * The log pane's lines, from Loki's `GET /loki/api/v1/query_range`. The LogQL follows the stack's own mapping
 * (src/stack/loki-otlp.ts): service_name and service_namespace are index labels; severity_text, trace_id and span_id
 * are structured metadata, so they are filtered after a `|`, never in the stream selector.
 */
import { reason } from "./prometheus.ts";

/** Which lines the pane shows. */
export interface LogFilter {
  /** One service, or every service of the lab when null. */
  service: string | null;
  /** Warnings and worse only. */
  problems: boolean;
  traceId: string | null;
  spanId: string | null;
}

export interface LogLine {
  /** unix milliseconds */
  time: number;
  service: string;
  severity: string;
  traceId: string | null;
  spanId: string | null;
  line: string;
}

/** The same severities the overview dashboard's "Error and warning logs" panel selects. */
export const PROBLEM_SEVERITIES = "(?i)warn|error|fatal";

const quote = (value: string) => JSON.stringify(value);

/** The LogQL for a filter. */
export function logQuery(filter: LogFilter): string {
  const selector = filter.service
    ? `{service_name=${quote(filter.service)}}`
    : `{service_namespace=${quote("o11y-lab")}}`;
  const stages: string[] = [];
  if (filter.problems) stages.push(`severity_text=~${quote(PROBLEM_SEVERITIES)}`);
  if (filter.traceId) stages.push(`trace_id=${quote(filter.traceId)}`);
  if (filter.spanId) stages.push(`span_id=${quote(filter.spanId)}`);
  return [selector, ...stages].join(" | ");
}

interface StreamsAnswer {
  status?: string;
  error?: string;
  data?: {
    resultType?: string;
    result?: Array<{
      stream?: Record<string, string>;
      /** [unix nanoseconds, line] or, with categorized labels, [ns, line, { structuredMetadata, parsed }] */
      values?: Array<[string, string] | [string, string, { structuredMetadata?: Record<string, string> }]>;
    }>;
  };
}

/** Lines of a streams answer, newest first. */
export function parseStreams(answer: StreamsAnswer): LogLine[] {
  const lines: LogLine[] = [];
  for (const stream of answer.data?.result ?? []) {
    for (const value of stream.values ?? []) {
      const labels = { ...stream.stream, ...(value[2]?.structuredMetadata ?? {}) };
      lines.push({
        time: Number(BigInt(value[0]) / 1_000_000n),
        service: labels.service_name ?? "?",
        severity: labels.severity_text ?? "",
        traceId: labels.trace_id || null,
        spanId: labels.span_id || null,
        line: value[1],
      });
    }
  }
  return lines.sort((a, b) => b.time - a.time);
}

/** The latest `limit` lines of `filter` over the last `sinceSeconds`. */
export async function queryLogs(
  lokiUrl: string,
  filter: LogFilter,
  options: { sinceSeconds?: number; limit?: number; now?: number; request?: typeof fetch } = {},
): Promise<LogLine[]> {
  const { sinceSeconds = 900, limit = 100, now = Date.now(), request = fetch } = options;
  const end = BigInt(Math.ceil(now)) * 1_000_000n;
  const params = new URLSearchParams({
    query: logQuery(filter),
    start: String(end - BigInt(sinceSeconds) * 1_000_000_000n),
    end: String(end),
    limit: String(limit),
    direction: "backward",
  });
  const url = `${lokiUrl.replace(/\/$/, "")}/loki/api/v1/query_range?${params}`;
  let response: Response;
  try {
    response = await request(url, { signal: AbortSignal.timeout(3000) });
  } catch (error) {
    throw new Error(`Loki is unreachable at ${lokiUrl} (${reason(error)})`);
  }
  const body = await response.text();
  let answer: StreamsAnswer;
  try {
    answer = JSON.parse(body) as StreamsAnswer;
  } catch {
    throw new Error(`Loki answered ${response.status}: ${body.trim().slice(0, 200)}`);
  }
  if (!response.ok || answer.status !== "success") {
    throw new Error(`Loki refused the query: ${answer.error ?? (body.trim().slice(0, 200) || response.status)}`);
  }
  return parseStreams(answer);
}
