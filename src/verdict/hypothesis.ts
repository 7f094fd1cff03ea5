/**
 * A chaos scenario's hypothesis, measured: the baseline before the fault, the statement with numbers, the live value
 * while it runs (PASS once it holds, FAIL when its time is up), and the recovery after `chaos stop`.
 */
import type { ChaosScenario, Hypothesis } from "../chaos/catalogue.ts";
import { LabError } from "../errors.ts";
import { errorPercent, JOB_PREFIX, latencyQuantile } from "../queries.ts";
import { type Backends, formatValue, sampleValue, Unreachable, type Verdict } from "./check.ts";

/** How long `chaos stop` gives the 1-minute rates to come back. */
export const RECOVERY_SECONDS = 120;
/** A 5xx share under this counts as recovered. */
const RECOVERED_ERRORS = 5;

/** The hypothesis of the form that runs: container faults or the services' fault flags. */
export function hypothesisOf(scenario: ChaosScenario, app: boolean): Hypothesis {
  return app || scenario.pumba.length === 0 ? scenario.app.hypothesis : scenario.hypothesis;
}

/** How many of `targets` are not running, from Docker. */
async function containersDown(backends: Backends, targets: readonly string[]): Promise<number> {
  if (!backends.docker.path) throw new Unreachable("Docker is not installed (no docker on PATH)");
  const result = await backends.docker.capture(["inspect", "--format", "{{.Name}} {{.State.Status}}", ...targets]);
  if (/Cannot connect to the Docker daemon|error during connect/i.test(result.stderr)) {
    throw new Unreachable("Docker is not running");
  }
  const running = result.stdout.split("\n").filter((line) => line.trim().endsWith(" running")).length;
  return targets.length - running;
}

/** The hypothesis' measure now: seconds, percent, or containers down. NaN when a rate has no traffic. */
export function measure(h: Hypothesis, scenario: ChaosScenario, backends: Backends): Promise<number> {
  if (h.measure === "down") return containersDown(backends, scenario.targets);
  const promql = h.measure === "p95" ? latencyQuantile(0.95) : errorPercent;
  return sampleValue(backends.prometheus, promql, { job: `${JOB_PREFIX}${h.role}` });
}

/** A hypothesis with its numbers: the baseline it starts from and the limit the fault must pass. */
export interface Stated {
  readonly scenario: string;
  readonly hypothesis: Hypothesis;
  readonly baseline: number;
  /** The fault must take the measure above this. */
  readonly target: number;
  /** After chaos stop, the measure must come back below this. */
  readonly recovered: number;
  /** "api-gateway p95 now 0.48 s; expect > 1.48 s within 60 s" */
  readonly text: string;
}

function subject(h: Hypothesis): string {
  if (h.measure === "p95") return `${h.role} p95`;
  if (h.measure === "errors") return `${h.role} 5xx`;
  return "targets down";
}

function unit(h: Hypothesis): "s" | "%" | "" {
  return h.measure === "p95" ? "s" : h.measure === "errors" ? "%" : "";
}

/** Reads the baseline and states the hypothesis; a rate without traffic cannot be a baseline. */
export async function state(scenario: ChaosScenario, app: boolean, backends: Backends): Promise<Stated> {
  const h = hypothesisOf(scenario, app);
  const baseline = await measure(h, scenario, backends);
  if (h.measure === "p95" && !Number.isFinite(baseline)) {
    throw new LabError(
      `no traffic at ${h.role} in the last minute: its p95 has no baseline`,
      "start load first (o11y-lab k6 load --background), then the scenario",
    );
  }
  const base = Number.isFinite(baseline) ? baseline : 0;
  const target = h.measure === "p95" ? base + h.rise : h.measure === "errors" ? h.above : 0;
  const recovered =
    h.measure === "p95" ? base + h.rise / 2 : h.measure === "errors" ? Math.max(RECOVERED_ERRORS, base + 1) : 1;
  const u = unit(h);
  const text =
    h.measure === "down"
      ? `${base} of ${scenario.targets.length} targets down now; expect at least 1 within ${h.within} s`
      : `${subject(h)} now ${formatValue(base, u)}; expect > ${formatValue(target, u)} within ${h.within} s`;
  return { scenario: scenario.name, hypothesis: h, baseline: base, target, recovered, text };
}

export interface WatchOptions {
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** Called with each live reading, e.g. "api-gateway p95 0.93 s (expect > 1.48 s, 41 s left)". */
  readonly show: (line: string) => void;
  /** Called once the watch is over, before its verdict is said. */
  readonly end?: () => void;
  readonly intervalMs?: number;
}

/** "api-gateway p95 back under 0.88 s within 120 s": what `chaos stop` expects. */
export function recoveryText(stated: Stated): string {
  const h = stated.hypothesis;
  return `${subject(h)} back under ${formatValue(stated.recovered, unit(h))} within ${RECOVERY_SECONDS} s`;
}

/** Watches until the measure passes `limit` (above for the fault, below for recovery) or the time is up. */
async function until(
  stated: Stated,
  scenario: ChaosScenario,
  backends: Backends,
  goal: { above?: number; below?: number; seconds: number; what: string },
  options: WatchOptions,
): Promise<Verdict> {
  const h = stated.hypothesis;
  const u = unit(h);
  const limit = goal.above ?? goal.below ?? 0;
  const op = goal.above !== undefined ? ">" : "<";
  const deadline = options.now() + goal.seconds * 1000;
  let value = Number.NaN;
  for (;;) {
    try {
      value = await measure(h, scenario, backends);
    } catch (error) {
      options.end?.();
      return { ok: false, line: error instanceof Error ? error.message : String(error), unreachable: true };
    }
    const holds = Number.isFinite(value) && (op === ">" ? value > limit : value < limit);
    const reading = `${subject(h)} ${formatValue(value, u)} (${op} ${formatValue(limit, u)} expected)`;
    const left = Math.max(0, Math.round((deadline - options.now()) / 1000));
    if (holds || left <= 0) {
      options.end?.();
      return holds
        ? { ok: true, value, line: `PASS ${goal.what}: ${reading}` }
        : { ok: false, value, line: `FAIL ${goal.what}: ${reading} after ${goal.seconds} s` };
    }
    options.show(`${reading}, ${left} s left`);
    await options.sleep(options.intervalMs ?? 2000);
  }
}

/** Watches the fault take effect. */
export function watchFault(stated: Stated, scenario: ChaosScenario, backends: Backends, options: WatchOptions) {
  const goal = { above: stated.target, seconds: stated.hypothesis.within, what: scenario.name };
  return until(stated, scenario, backends, goal, options);
}

/** Watches the measure come back after chaos stop. */
export function watchRecovery(stated: Stated, scenario: ChaosScenario, backends: Backends, options: WatchOptions) {
  const goal = { below: stated.recovered, seconds: RECOVERY_SECONDS, what: `${scenario.name} recovered` };
  return until(stated, scenario, backends, goal, options);
}
