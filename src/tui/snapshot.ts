/** The numbers on the screen (and in `tui --json`), read from Prometheus with the queries of src/queries.ts. */
import * as q from "../queries.ts";
import { ROLES, type RoleName } from "../roles.ts";
import type { Prometheus, Sample, Series } from "./prometheus.ts";

/** One service's RED numbers; latencies in seconds; null where Prometheus has no value (no traffic). */
export interface ServiceNumbers {
  role: RoleName;
  /** What the numbers count: HTTP requests served, or (service-c) Kafka messages processed. */
  unit: "req" | "msg";
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
  postgres: {
    rate: number | null;
    errorPercent: number | null;
    p50: number | null;
    p95: number | null;
    p99: number | null;
  };
  targets: { up: number | null; total: number | null };
}

/** Sparkline data: one value per step (null = no data) for each role, oldest first. */
export interface History {
  start: number;
  step: number;
  rate: Record<string, Array<number | null>>;
  p95: Record<string, Array<number | null>>;
}

/** The role whose work is consuming Kafka messages, not answering HTTP: its row shows consumer numbers. */
export const CONSUMER: RoleName = "service-c";

/** Reads every instant number at one evaluation time, so a script can re-run a query and get the same answer. */
export async function readSnapshot(
  prom: Pick<Prometheus, "url" | "query">,
  time = Date.now() / 1000,
): Promise<Snapshot> {
  const ask = (promql: string) => prom.query(promql, time);
  const [rate, errors, p50, p95, p99, reporting, lag, throughput, pg50, pg95, pg99, up, total, ...rest] =
    await Promise.all([
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
      ask(q.consumerErrorPercent),
      ask(q.consumerQuantile(0.5)),
      ask(q.consumerQuantile(0.95)),
      ask(q.consumerQuantile(0.99)),
      ask(q.postgresRate),
      ask(q.postgresErrorPercent),
    ]);
  const [cErrors, c50, c95, c99, pgRate, pgErrors] = rest.map(scalar);
  const seen = new Set(reporting.map((s) => q.roleOfJob(s.labels.job)));
  return {
    time,
    prometheus: prom.url,
    services: ROLES.map(({ name }): ServiceNumbers => {
      if (name === CONSUMER) {
        const [errorPercent = null, p50 = null, p95 = null, p99 = null] = [cErrors, c50, c95, c99];
        return {
          role: name,
          unit: "msg",
          reporting: seen.has(name),
          rate: scalar(throughput),
          errorPercent,
          p50,
          p95,
          p99,
        };
      }
      return {
        role: name,
        unit: "req",
        reporting: seen.has(name),
        rate: byRole(rate, name),
        errorPercent: byRole(errors, name),
        p50: byRole(p50, name),
        p95: byRole(p95, name),
        p99: byRole(p99, name),
      };
    }),
    kafka: { lag: scalar(lag), throughput: scalar(throughput) },
    postgres: {
      rate: pgRate ?? null,
      errorPercent: pgErrors ?? null,
      p50: scalar(pg50),
      p95: scalar(pg95),
      p99: scalar(pg99),
    },
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
  const [rate, p95, consumerRate, consumerP95] = await Promise.all([
    prom.queryRange(q.requestRate, start, end, step),
    prom.queryRange(q.latencyQuantile(0.95), start, end, step),
    prom.queryRange(q.kafkaThroughput, start, end, step),
    prom.queryRange(q.consumerQuantile(0.95), start, end, step),
  ]);
  // service-c's sparklines are its consumer numbers, like its row.
  const consumer = (series: Series[]) => series.map((s) => ({ ...s, labels: { job: `${q.JOB_PREFIX}${CONSUMER}` } }));
  const http = (series: Series[]) => series.filter((s) => q.roleOfJob(s.labels.job) !== CONSUMER);
  return {
    start,
    step,
    rate: columns([...http(rate), ...consumer(consumerRate)], start, step, points),
    p95: columns([...http(p95), ...consumer(consumerP95)], start, step, points),
  };
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

/** One row of the drill-down: a route, or a dependency (kind http, sql or kafka) by peer address. */
export interface DrillRow {
  kind: "route" | "http" | "sql" | "kafka";
  name: string;
  rate: number | null;
  errorPercent: number | null;
  p95: number | null;
}

export interface Drill {
  role: RoleName;
  routes: DrillRow[];
  dependencies: DrillRow[];
}

/** A role's routes and dependencies with their RED, busiest first. */
export async function readDrill(
  prom: Pick<Prometheus, "query">,
  role: RoleName,
  time = Date.now() / 1000,
): Promise<Drill> {
  const queries = q.drillQueries(role);
  const read = async (kind: DrillRow["kind"], label: string, b: q.Breakdown): Promise<DrillRow[]> => {
    const [rate, errors, p95] = await Promise.all([b.rate, b.errorPercent, b.p95].map((e) => prom.query(e, time)));
    const value = (samples: Sample[] | undefined, name: string) =>
      finite(samples?.find((s) => (s.labels[label] ?? "") === name)?.value);
    return (rate ?? [])
      .map((s) => s.labels[label] ?? "")
      .map((name) => ({
        kind,
        name,
        rate: value(rate, name),
        errorPercent: value(errors, name),
        p95: value(p95, name),
      }))
      .sort((a, b) => (b.rate ?? 0) - (a.rate ?? 0));
  };
  const [routes, ...dependencies] = await Promise.all([
    read("route", "http_route", queries.routes),
    ...(["http", "sql", "kafka"] as const).map((kind) => read(kind, "server_address", queries.dependencies[kind])),
  ]);
  return { role, routes: routes ?? [], dependencies: dependencies.flat() };
}

/** The slowest exemplar of a role's entry spans between `start` and `end` (unix seconds): a real slow request. */
export async function slowestExemplar(
  prom: Pick<Prometheus, "exemplars">,
  role: string,
  start: number,
  end: number,
): Promise<{ traceId: string; seconds: number; time: number } | null> {
  const series = await prom.exemplars(q.entrySpanDurations(role), start, end);
  const slowest = series
    .flatMap((s) => s.exemplars)
    .filter((e) => e.labels.trace_id)
    .map((e) => ({ traceId: e.labels.trace_id as string, seconds: Number(e.value), time: e.timestamp }))
    .sort((a, b) => b.seconds - a.seconds)[0];
  return slowest ?? null;
}
