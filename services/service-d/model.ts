import type { Counter, Histogram, Log } from "../../src/ports.ts";

/** What service-d is given by `serve`. No telemetry code here: the root instruments it from outside. */
export interface Deps {
  log: Log;
  metrics: { compute: Counter; computeDuration: Histogram; computationValue: Histogram };
}

/** The business metrics service-d declares; `serve` creates them, so this folder needs no OpenTelemetry import. */
export const METRICS = {
  compute: { kind: "counter", name: "service_d.compute", unit: "{computation}", description: "Computations done." },
  computeDuration: {
    kind: "histogram",
    name: "service_d.compute.duration",
    unit: "s",
    description: "Time one computation takes, simulated work included.",
    buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5],
  },
  computationValue: {
    kind: "histogram",
    name: "service_d.computation.value",
    unit: "1",
    description: "The input values asked for.",
    buckets: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
  },
} as const;

export interface ComputeResult {
  status: "success";
  service: "service-d";
  input_value: number;
  results: {
    fibonacci: { input: number; result: number };
    prime_factors: { input: number; factors: number[] };
    statistics: { mean: number; max: number; min: number; sum: number };
  };
  duration_seconds: number;
}
