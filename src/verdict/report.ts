/**
 * `o11y-lab report`: what the last load tests and chaos runs did, from the state dir (k6 summaries, the chaos
 * journal) and the backends: RED per service before, during and after each fault (the TUI's PromQL over each
 * phase's range, evaluated at its end), the slowest and failing traces with Grafana links, each hypothesis' verdict.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import * as q from "../queries.ts";
import { ROLE_NAMES } from "../roles.ts";
import { stateDir } from "../stack/state.ts";
import { traceUrl } from "../tui/links.ts";
import type { Series } from "../tui/prometheus.ts";
import { searchTraces, type TraceRow } from "../tui/tempo.ts";
import type { Backends } from "./check.ts";
import { type ChaosEvent, readJournal } from "./journal.ts";

export interface Red {
  readonly rate: number | null;
  readonly errors: number | null;
  readonly p95: number | null;
}
export interface Phase {
  readonly name: "before" | "during" | "after";
  /** unix seconds */
  readonly start: number;
  readonly end: number;
  readonly red: Record<string, Red>;
}
export interface FaultRun {
  readonly scenario: string;
  readonly app: boolean;
  readonly start: number;
  readonly stop?: number;
  readonly hypothesis?: string;
  readonly verdict?: string;
  readonly recovery?: string;
  readonly phases: Phase[];
}
export interface K6Verdict {
  readonly file: string;
  readonly thresholds: Array<{ readonly name: string; readonly ok: boolean }>;
  readonly checks?: { readonly passes: number; readonly fails: number };
}
export interface ReportData {
  readonly generatedAt: number;
  readonly range: { readonly start: number; readonly end: number };
  readonly k6: K6Verdict[];
  readonly faults: FaultRun[];
  readonly traces: Array<TraceRow & { readonly url: string }>;
  readonly charts: { readonly p95: Series[]; readonly rate: Series[] };
}

/** The TUI's expression over another range: `[1m]` becomes `[<seconds>s]`. */
export function over(expr: string, seconds: number): string {
  return expr.replaceAll(`[${q.RATE_WINDOW}]`, `[${Math.max(1, Math.round(seconds))}s]`);
}

const BEFORE_SECONDS = 60;
/** A phase shorter than this has fewer than two scrapes: no rate to read. */
const SHORTEST_PHASE = 15;

async function red(backends: Backends, start: number, end: number): Promise<Record<string, Red>> {
  const seconds = end - start;
  const [rate, errors, p95] = await Promise.all(
    [q.requestRate, q.errorPercent, q.latencyQuantile(0.95)].map((e) =>
      backends.prometheus.query(over(e, seconds), end),
    ),
  );
  const value = (samples: typeof rate, role: string) => {
    const v = samples?.find((s) => q.roleOfJob(s.labels.job) === role)?.value;
    return v === undefined || !Number.isFinite(v) ? null : v;
  };
  return Object.fromEntries(
    ROLE_NAMES.map((role) => [role, { rate: value(rate, role), errors: value(errors, role), p95: value(p95, role) }]),
  );
}

/** Each scenario's start with what followed it, up to the next stop. */
function runsOf(events: readonly ChaosEvent[], now: number) {
  return events.flatMap((e, i) => {
    if (e.kind !== "start") return [];
    const rest = events.slice(i + 1);
    const stopAt = rest.findIndex((x) => x.kind === "stop" || x.kind === "start");
    const stop = stopAt >= 0 && rest[stopAt]?.kind === "stop" ? rest[stopAt] : undefined;
    const mine = (kind: string) => rest.find((x) => x.kind === kind && "scenario" in x && x.scenario === e.scenario);
    const line = (x: ChaosEvent | undefined) => (x && "line" in x ? x.line : undefined);
    return [
      {
        start: e,
        stop: stop ? stop.at / 1000 : undefined,
        verdict: line(mine("verdict")),
        recovery: line(mine("recovery")),
        now,
      },
    ];
  });
}

async function k6Verdicts(dir: string, since: number): Promise<K6Verdict[]> {
  const reports = join(dir, "k6", "reports");
  const files = (await readdir(reports).catch(() => [] as string[])).filter((f) => f.endsWith(".json")).sort();
  const out: K6Verdict[] = [];
  for (const file of files) {
    const text = await readFile(join(reports, file), "utf8").catch(() => "");
    let summary: {
      metrics?: Record<string, { thresholds?: Record<string, { ok?: boolean }>; values?: Record<string, number> }>;
    };
    try {
      summary = JSON.parse(text);
    } catch {
      continue;
    }
    const stamp = /-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)\.json$/.exec(file)?.[1];
    const at = stamp ? Date.parse(stamp.replace(/T(\d\d)-(\d\d)-(\d\d)Z/, "T$1:$2:$3Z")) / 1000 : since;
    if (at < since) continue;
    const metrics = summary.metrics ?? {};
    const thresholds = Object.entries(metrics).flatMap(([metric, m]) =>
      Object.entries(m.thresholds ?? {}).map(([expr, t]) => ({ name: `${metric} ${expr}`, ok: t.ok !== false })),
    );
    const checks = metrics.checks?.values;
    out.push({
      file,
      thresholds,
      ...(checks ? { checks: { passes: checks.passes ?? 0, fails: checks.fails ?? 0 } } : {}),
    });
  }
  return out;
}

/** Gathers the report's numbers; `since` (unix seconds) bounds what it looks at. */
export async function gather(
  backends: Backends,
  tempoUrl: string,
  since: number,
  env = process.env,
): Promise<ReportData> {
  const now = Math.floor(Date.now() / 1000);
  const runs = runsOf(
    (await readJournal(env)).filter((e) => e.at / 1000 >= since),
    now,
  );
  const faults: FaultRun[] = [];
  for (const run of runs) {
    const start = run.start.at / 1000;
    const during = { start, end: run.stop ?? now };
    const spans: Array<Pick<Phase, "name" | "start" | "end">> = [
      { name: "before", start: start - BEFORE_SECONDS, end: start },
      { name: "during", ...during },
    ];
    if (run.stop !== undefined)
      spans.push({ name: "after", start: run.stop, end: Math.min(now, run.stop + BEFORE_SECONDS) });
    const phases: Phase[] = [];
    for (const p of spans.filter((s) => s.end - s.start >= SHORTEST_PHASE)) {
      phases.push({ ...p, red: await red(backends, p.start, p.end) });
    }
    faults.push({
      scenario: run.start.scenario,
      app: run.start.app,
      start,
      ...(run.stop !== undefined ? { stop: run.stop } : {}),
      ...(run.start.stated ? { hypothesis: run.start.stated.text } : {}),
      ...(run.verdict ? { verdict: run.verdict } : {}),
      ...(run.recovery ? { recovery: run.recovery } : {}),
      phases,
    });
  }
  const first = Math.min(now - 900, ...faults.map((f) => f.start - BEFORE_SECONDS));
  const range = { start: Math.max(since, first), end: now };
  const step = Math.max(5, Math.ceil((range.end - range.start) / 120));
  const [p95, rate] = await Promise.all(
    [q.latencyQuantile(0.95), q.requestRate].map((e) =>
      backends.prometheus.queryRange(e, range.start, range.end, step),
    ),
  );
  const found = (
    await Promise.all(
      ROLE_NAMES.map((role) => searchTraces(tempoUrl, role, { sinceSeconds: range.end - range.start, limit: 5 })),
    )
  ).flat();
  const seen = new Set<string>();
  const traces = [
    ...found
      .filter((t) => t.kind === "error")
      .sort((a, b) => b.start - a.start)
      .slice(0, 5),
    ...found
      .filter((t) => t.kind === "slow")
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, 5),
  ]
    .filter((t) => !seen.has(t.traceId) && seen.add(t.traceId))
    .map((t) => ({ ...t, url: traceUrl(backends.grafanaUrl, t.traceId) }));
  return {
    generatedAt: now,
    range,
    k6: await k6Verdicts(stateDir(env), range.start),
    faults,
    traces,
    charts: { p95: p95 ?? [], rate: rate ?? [] },
  };
}
