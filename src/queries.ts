/**
 * The PromQL the TUI reads, in one place. The dashboards use the same expressions and metric names, and the e2e
 * suite runs every one of these against a real Prometheus.
 */

/** Every demo service reports under `job="o11y-lab/<role>"` (collector's prometheus exporter, honor_labels). */
export const JOB_PREFIX = "o11y-lab/";
const JOBS = `job=~"o11y-lab/.*"`;

/** The window every rate in the TUI uses. */
export const RATE_WINDOW = "1m";

/** Probes (/health, /ready: healthchecks every few seconds) are not traffic: the dashboards leave them out too. */
const TRAFFIC = `${JOBS},http_route!~"/health|/ready"`;

const serverCount = (extra = "") => `http_server_request_duration_seconds_count{${TRAFFIC}${extra}}[${RATE_WINDOW}]`;

/** Requests per second, per role. */
export const requestRate = `sum by (job) (rate(${serverCount()}))`;

/**
 * Share of 5xx answers in percent, per role. `or … * 0` turns "no 5xx series" into 0 for a role that has traffic,
 * instead of leaving the role out.
 */
export const errorPercent =
  `100 * (sum by (job) (rate(${serverCount(`,http_response_status_code=~"5.."`)})) or ${requestRate} * 0)` +
  ` / ${requestRate}`;

/** Server latency quantile (seconds), per role, from the semconv histogram. */
export function latencyQuantile(q: 0.5 | 0.95 | 0.99): string {
  return `histogram_quantile(${q}, sum by (job, le) (rate(http_server_request_duration_seconds_bucket{${TRAFFIC}}[${RATE_WINDOW}])))`;
}

/** Roles with any series in Prometheus: reporting, even when idle. */
export const reportingRoles = `group by (job) ({${JOBS}})`;

/** Kafka messages not yet consumed by service-c, summed over partitions. */
export const kafkaLag = `sum(service_c_consumer_lag{${JOBS}})`;

/** Messages service-c processed per second: what the consumer does, where HTTP shows only /stats polls. */
export const kafkaThroughput = `sum(rate(service_c_messages_processed_total{${JOBS}}[${RATE_WINDOW}]))`;

/** Share of service-c's messages whose processing failed, in percent (status is success, redelivered or error). */
export const consumerErrorPercent =
  `100 * (sum(rate(service_c_messages_processed_total{${JOBS},status="error"}[${RATE_WINDOW}])) or ${kafkaThroughput} * 0)` +
  ` / ${kafkaThroughput}`;

/** service-c's processing time per message (seconds). */
export function consumerQuantile(q: 0.5 | 0.95 | 0.99): string {
  return `histogram_quantile(${q}, sum by (le) (rate(service_c_processing_duration_seconds_bucket{${JOBS}}[${RATE_WINDOW}])))`;
}

/** Postgres operation latency quantile (seconds), as the client (service-a) sees it. */
export function postgresQuantile(q: 0.5 | 0.95 | 0.99): string {
  return `histogram_quantile(${q}, sum by (le) (rate(db_client_operation_duration_seconds_bucket{${JOBS}}[${RATE_WINDOW}])))`;
}

/** SQL operations per second, and the share that failed (error.type is set on failures only). */
export const postgresRate = `sum(rate(db_client_operation_duration_seconds_count{${JOBS}}[${RATE_WINDOW}]))`;
export const postgresErrorPercent =
  `100 * (sum(rate(db_client_operation_duration_seconds_count{${JOBS},error_type!=""}[${RATE_WINDOW}])) or ${postgresRate} * 0)` +
  ` / ${postgresRate}`;

/** A role's RED by one label of one histogram: rate, error share (percent) and p95, one series per label value. */
export interface Breakdown {
  rate: string;
  errorPercent: string;
  p95: string;
}

function breakdown(metric: string, by: string, selector: string, failed: string): Breakdown {
  const rate = `sum by (${by}) (rate(${metric}_count{${selector}}[${RATE_WINDOW}]))`;
  return {
    rate,
    errorPercent: `100 * (sum by (${by}) (rate(${metric}_count{${selector},${failed}}[${RATE_WINDOW}])) or ${rate} * 0) / ${rate}`,
    p95: `histogram_quantile(0.95, sum by (le, ${by}) (rate(${metric}_bucket{${selector}}[${RATE_WINDOW}])))`,
  };
}

/** The drill-down of a role: its routes (server side) and its dependencies (client side, by peer address). */
export function drillQueries(role: string): {
  routes: Breakdown;
  dependencies: Record<"http" | "sql" | "kafka", Breakdown>;
} {
  const job = `job="${JOB_PREFIX}${role}"`;
  const failed = `error_type!=""`;
  return {
    routes: breakdown(
      "http_server_request_duration_seconds",
      "http_route",
      `${job},http_route!~"/health|/ready"`,
      `http_response_status_code=~"5.."`,
    ),
    dependencies: {
      http: breakdown("http_client_request_duration_seconds", "server_address", job, failed),
      sql: breakdown("db_client_operation_duration_seconds", "server_address", job, failed),
      kafka: breakdown("messaging_client_operation_duration_seconds", "server_address", job, failed),
    },
  };
}

/**
 * The span-metrics histogram of a role's entry spans (server spans; consumer spans for service-c), whose exemplars
 * carry the trace ids of real requests: for /api/v1/query_exemplars.
 */
export function entrySpanDurations(role: string): string {
  return `traces_span_metrics_duration_seconds_bucket{service_name="${role}",span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"}`;
}

/** Scrape targets up / total: the health of the metrics path itself. */
export const targetsUp = "sum(up)";
export const targetsTotal = "count(up)";

/** The role a `job` label belongs to, or undefined for anything else. */
export function roleOfJob(job: string | undefined): string | undefined {
  return job?.startsWith(JOB_PREFIX) ? job.slice(JOB_PREFIX.length) : undefined;
}
