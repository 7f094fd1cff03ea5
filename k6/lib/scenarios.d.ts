// Types of scenarios.js for the TypeScript side (`o11y-lab k6 list` and the tests); k6 itself ignores this file.

export interface Stage {
  readonly duration: string;
  readonly target: number;
}

export interface Scenario {
  readonly summary: string;
  readonly vus?: number;
  readonly duration?: string;
  readonly stages?: readonly Stage[];
  readonly thresholds: Readonly<Record<string, readonly string[]>>;
}

export declare const SCENARIOS: {
  readonly smoke: Scenario;
  readonly load: Scenario;
  readonly stress: Scenario;
  readonly spike: Scenario;
};

export declare const SUMMARY_TREND_STATS: readonly string[];

export interface Options {
  readonly vus?: number;
  readonly duration?: string;
  readonly stages?: readonly Stage[];
  readonly thresholds: Readonly<Record<string, readonly string[]>>;
  readonly summaryTrendStats: readonly string[];
}

export declare function optionsFor(name: keyof typeof SCENARIOS): Options;
