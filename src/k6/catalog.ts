import { SCENARIOS, type Scenario } from "../../k6/lib/scenarios.js";

/** The k6 tests the lab ships: smoke, load, stress, spike. */
export type K6TestName = keyof typeof SCENARIOS;
export const K6_TEST_NAMES = Object.keys(SCENARIOS) as K6TestName[];

export function isK6TestName(value: string): value is K6TestName {
  return Object.hasOwn(SCENARIOS, value);
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
  const scenario: Scenario = SCENARIOS[name];
  const stages = scenario.stages ?? [];
  const seconds = scenario.duration
    ? parseDuration(scenario.duration)
    : stages.reduce((total, stage) => total + parseDuration(stage.duration), 0);
  const peakVus = Math.max(scenario.vus ?? 0, ...stages.map((stage) => stage.target));
  return { name, summary: scenario.summary, seconds, peakVus, thresholds: scenario.thresholds };
}
