/** The numbers on the screen (and in `tui --json`), read from Prometheus with the queries of src/queries.ts. */
import * as q from "../queries.ts";
import { ROLES, type RoleName } from "../roles.ts";
import type { Prometheus, Sample, Series } from "./prometheus.ts";

/** One service's RED numbers; latencies in seconds; null where Prometheus has no value (no traffic). */
export interface ServiceNumbers {
  role: RoleName;
  reporting: boolean;
  rate: number | null;
  errorPercent: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Snapshot {
  /** Evaluation time of every instant query, unix seconds. */
  time: number;
  prometheus: string;
  services: ServiceNumbers[];
  kafka: { lag: number | null; throughput: number | null };
  postgres: { p50: number | null; p95: number | null; p99: number | null };
  targets: { up: number | null; total: number | null };
}

/** Sparkline data: one value per step (null = no data) for each role, oldest first. */
export interface History {
  start: number;
  step: number;
  rate: Record<string, Array<number | null>>;
  p95: Record<string, Array<number | null>>;
}

/** Reads every instant number at one evaluation time, so a script can re-run a query and get the same answer. */
export async function readSnapshot(
  prom: Pick<Prometheus, "url" | "query">,
  time = Date.now() / 1000,
): Promise<Snapshot> {
  const ask = (promql: string) => prom.query(promql, time);
  const [rate, errors, p50, p95, p99, reporting, lag, throughput, pg50, pg95, pg99, up, total] = await Promise.all([
    ask(q.requestRate),
    ask(q.errorPercent),
    ask(q.latencyQuantile(0.5)),
    ask(q.latencyQuantile(0.95)),
    ask(q.latencyQuantile(0.99)),
    ask(q.reportingRoles),
    ask(q.kafkaLag),
    ask(q.kafkaThroughput),
    ask(q.postgresQuantile(0.5)),
    ask(q.postgresQuantile(0.95)),
    ask(q.postgresQuantile(0.99)),
    ask(q.targetsUp),
    ask(q.targetsTotal),
  ]);
  const seen = new Set(reporting.map((s) => q.roleOfJob(s.labels.job)));
  return {
    time,
    prometheus: prom.url,
    services: ROLES.map(({ name }) => ({
      role: name,
      reporting: seen.has(name),
      rate: byRole(rate, name),
      errorPercent: byRole(errors, name),
      p50: byRole(p50, name),
      p95: byRole(p95, name),
      p99: byRole(p99, name),
    })),
    kafka: { lag: scalar(lag), throughput: scalar(throughput) },
    postgres: { p50: scalar(pg50), p95: scalar(pg95), p99: scalar(pg99) },
    targets: { up: scalar(up), total: scalar(total) },
  };
}

/** Reads the rate and p95 history of every role over `seconds`, in `points` steps, ending at `end`. */
export async function readHistory(
  prom: Pick<Prometheus, "queryRange">,
  end: number,
  seconds: number,
  points: number,
): Promise<History> {
  const step = Math.max(1, Math.round(seconds / points));
  const start = end - step * (points - 1);
  const [rate, p95] = await Promise.all([
    prom.queryRange(q.requestRate, start, end, step),
    prom.queryRange(q.latencyQuantile(0.95), start, end, step),
  ]);
  return { start, step, rate: columns(rate, start, step, points), p95: columns(p95, start, step, points) };
}

function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

function byRole(samples: Sample[], role: string): number | null {
  return finite(samples.find((s) => q.roleOfJob(s.labels.job) === role)?.value);
}

function scalar(samples: Sample[]): number | null {
  return finite(samples[0]?.value);
}

function columns(series: Series[], start: number, step: number, points: number): Record<string, Array<number | null>> {
  const out: Record<string, Array<number | null>> = {};
  for (const s of series) {
    const role = q.roleOfJob(s.labels.job);
    if (!role) continue;
    const values: Array<number | null> = Array.from({ length: points }, () => null);
    for (const [t, v] of s.points) {
      const i = Math.round((t - start) / step);
      if (i >= 0 && i < points) values[i] = finite(v);
    }
    out[role] = values;
  }
  return out;
}
