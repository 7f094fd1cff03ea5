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

/** Messages service-c processed per second. */
export const kafkaThroughput = `sum(rate(service_c_messages_processed_total{${JOBS}}[${RATE_WINDOW}]))`;

/** Postgres operation latency quantile (seconds), as the client (service-a) sees it. */
export function postgresQuantile(q: 0.5 | 0.95 | 0.99): string {
  return `histogram_quantile(${q}, sum by (le) (rate(db_client_operation_duration_seconds_bucket{${JOBS}}[${RATE_WINDOW}])))`;
}

/** Scrape targets up / total: the health of the metrics path itself. */
export const targetsUp = "sum(up)";
export const targetsTotal = "count(up)";

/** The role a `job` label belongs to, or undefined for anything else. */
export function roleOfJob(job: string | undefined): string | undefined {
  return job?.startsWith(JOB_PREFIX) ? job.slice(JOB_PREFIX.length) : undefined;
}
