/**
 * The check engine behind `lab check`, `chaos --watch`, `doctor` and `report`: a check asks one backend
 * (Prometheus, Tempo, Loki or Docker) one question, compares the answer with its condition, and says in one line
 * what it measured and whether that held.
 */
import type { Docker } from "../stack/docker.ts";
import { type Prometheus, PrometheusError } from "../tui/prometheus.ts";
import type { Loki } from "./loki.ts";
import type { Tempo } from "./tempo.ts";

/** Where the lab's telemetry is, and how to reach the services and Docker. */
export interface Backends {
  readonly prometheus: Prometheus;
  readonly tempo: Tempo;
  readonly loki: Loki;
  readonly docker: Docker;
  readonly grafanaUrl: string;
  /** Base URL of a role (`http://127.0.0.1:<port>` unless told otherwise). */
  readonly roleUrl: (role: string) => string;
}

/** What a check found. */
export interface Verdict {
  readonly ok: boolean;
  /** The measured value and the condition, e.g. "api-gateway p95 1.42 s (expected > 1.28 s)". */
  readonly line: string;
  /** What to do about it, when it failed. */
  readonly fix?: string;
  readonly value?: number;
  /** The backend did not answer at all: nothing else that needs it can be checked either. */
  readonly unreachable?: boolean;
}

export interface Check {
  /** What is checked, as a person says it: "a fresh request's trace is in Tempo". */
  readonly name: string;
  readonly run: (backends: Backends) => Promise<Verdict>;
}

/** A backend that did not answer: one line naming it and where it was looked for. */
export class Unreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Unreachable";
  }
}

/** Runs a check; a backend that does not answer becomes a failed verdict saying so, never a crash. */
export async function runCheck(check: Check, backends: Backends): Promise<Verdict> {
  try {
    return await check.run(backends);
  } catch (error) {
    const unreachable = error instanceof Unreachable || (error instanceof PrometheusError && error.unreachable);
    return { ok: false, line: error instanceof Error ? error.message : String(error), unreachable };
  }
}

/** `✓ name: line`, or `✗ name: line — fix`. */
export function verdictLine(name: string, verdict: Verdict): string {
  const fix = !verdict.ok && verdict.fix ? ` — ${verdict.fix}` : "";
  return `${verdict.ok ? "✓" : "✗"} ${name}: ${verdict.line}${fix}`;
}

/** Seconds or percent as the lines print them. */
export function formatValue(value: number, unit: "s" | "%" | ""): string {
  if (!Number.isFinite(value)) return "no data";
  if (unit === "s") return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} s`;
  if (unit === "%") return `${value.toFixed(1)} %`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** The value of the sample whose labels match, NaN when there is none (no traffic, no series). */
export async function sampleValue(
  prometheus: Prometheus,
  promql: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const samples = await prometheus.query(promql);
  const match = samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return match ? match.value : Number.NaN;
}

/** A PromQL check: the value must be above (or below) a limit. */
export function promCheck(options: {
  name: string;
  promql: string;
  labels?: Record<string, string>;
  above?: number;
  below?: number;
  unit?: "s" | "%" | "";
  what: string;
  fix: string;
}): Check {
  const unit = options.unit ?? "";
  return {
    name: options.name,
    async run({ prometheus }) {
      const value = await sampleValue(prometheus, options.promql, options.labels);
      const [op, limit] = options.above !== undefined ? [">", options.above] : ["<", options.below ?? 0];
      const ok = Number.isFinite(value) && (op === ">" ? value > limit : value < limit);
      return {
        ok,
        value,
        line: `${options.what} ${formatValue(value, unit)} (expected ${op} ${formatValue(limit, unit)})`,
        fix: options.fix,
      };
    },
  };
}
