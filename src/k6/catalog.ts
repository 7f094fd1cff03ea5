import { K6_FILES } from "./scripts.ts";

interface Stage {
  readonly duration: string;
  readonly target: number;
}

/** One entry of k6/lib/scenarios.js. */
export interface Scenario {
  readonly summary: string;
  readonly vus?: number;
  readonly duration?: string;
  readonly stages?: readonly Stage[];
  readonly thresholds: Readonly<Record<string, readonly string[]>>;
}

/**
 * k6/lib/scenarios.js, evaluated from the very text the binary writes for k6. (Bun's bundler cannot embed one file
 * both as text and as a module, and k6 needs the text.) It is plain data with no imports: dropping `export` makes
 * it a function body.
 */
function evaluateScenarios(source: string): { SCENARIOS: Record<string, Scenario>; SUMMARY_TREND_STATS: string[] } {
  const body = source.replace(/^export (const|function) /gm, "$1 ");
  return new Function(`${body}\nreturn { SCENARIOS, SUMMARY_TREND_STATS };`)();
}

const { SCENARIOS } = evaluateScenarios(K6_FILES["lib/scenarios.js"] ?? "");

/** The k6 tests the lab ships, each a script k6/<name>.js. */
export const K6_TEST_NAMES = ["smoke", "load", "stress", "spike"] as const;
export type K6TestName = (typeof K6_TEST_NAMES)[number];

export function isK6TestName(value: string): value is K6TestName {
  return (K6_TEST_NAMES as readonly string[]).includes(value);
}

/** "1m30s" → 90. k6 durations as the scripts write them: h, m, s, ms. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new Error(`bad k6 duration "${text}"`);
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return parts.reduce((total, [, value, suffix]) => total + Number(value) * (unit[suffix ?? "s"] ?? 1), 0);
}

/** 190 → "3m10s", 60 → "1m". */
export function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  if (minutes === 0) return `${rest}s`;
  return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
}

/** What `k6 list` shows, computed from the very stages the script runs. */
export interface K6TestShape {
  readonly name: K6TestName;
  readonly summary: string;
  readonly seconds: number;
  readonly peakVus: number;
  readonly thresholds: Scenario["thresholds"];
}

export function shapeOf(name: K6TestName): K6TestShape {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`k6/lib/scenarios.js has no ${name}`);
  const stages = scenario.stages ?? [];
  const seconds = scenario.duration
    ? parseDuration(scenario.duration)
    : stages.reduce((total, stage) => total + parseDuration(stage.duration), 0);
  const peakVus = Math.max(scenario.vus ?? 0, ...stages.map((stage) => stage.target));
  return { name, summary: scenario.summary, seconds, peakVus, thresholds: scenario.thresholds };
}
