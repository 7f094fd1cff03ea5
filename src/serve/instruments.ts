import { metrics } from "@opentelemetry/api";
import type { Counter, Histogram } from "../ports.ts";
import { VERSION } from "../version.ts";

/** A business metric as an auto role declares it: plain data, so the role needs no OpenTelemetry import. */
export type MetricSpec =
  | { readonly kind: "counter"; readonly name: string; readonly unit: string; readonly description: string }
  | {
      readonly kind: "histogram";
      readonly name: string;
      readonly unit: string;
      readonly description: string;
      readonly buckets: readonly number[];
    };

type Instruments<S extends Record<string, MetricSpec>> = {
  [K in keyof S]: S[K]["kind"] extends "counter" ? Counter : Histogram;
};

/** Creates the instruments a role declared, under the role's own instrumentation scope. */
export function createInstruments<S extends Record<string, MetricSpec>>(scope: string, specs: S): Instruments<S> {
  const meter = metrics.getMeter(scope, VERSION);
  const entries = Object.entries(specs).map(([key, spec]) => {
    const options = { unit: spec.unit, description: spec.description };
    const instrument =
      spec.kind === "counter"
        ? meter.createCounter(spec.name, options)
        : meter.createHistogram(spec.name, { ...options, advice: { explicitBucketBoundaries: [...spec.buckets] } });
    return [key, instrument];
  });
  return Object.fromEntries(entries) as Instruments<S>;
}
