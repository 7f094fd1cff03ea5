/**
 * The log pane's lines, from Loki's `GET /loki/api/v1/query_range`. The LogQL follows the stack's own mapping
 * (src/stack/loki-otlp.ts): service_name and service_namespace are index labels; severity_text, trace_id and span_id
 * are structured metadata, so they are filtered after a `|`, never in the stream selector.
 */
import { Loki, type LogLine as LokiLine } from "../verdict/loki.ts";

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

/** A line as the log pane shows it: Loki returns structured metadata merged into the stream labels. */
export function logLine(found: Pick<LokiLine, "labels" | "time" | "line">): LogLine {
  const { labels } = found;
  return {
    time: Number(found.time / 1_000_000n),
    service: labels.service_name ?? "?",
    severity: labels.severity_text ?? "",
    traceId: labels.trace_id || null,
    spanId: labels.span_id || null,
    line: found.line,
  };
}

/** The latest `limit` lines of `filter` over the last `sinceSeconds`, newest first (the checks' Loki client). */
export async function queryLogs(lokiUrl: string, filter: LogFilter, sinceSeconds = 900, limit = 100) {
  const lines = await new Loki(lokiUrl, 3000).lines(logQuery(filter), sinceSeconds, limit);
  return lines.map(logLine);
}
