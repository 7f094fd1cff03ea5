import type { ComputeResult, Deps } from "./model.ts";

/** fib(n) done the slow, recursive way on purpose: it is the CPU work this service exists to show. */
export function fibonacci(n: number): number {
  return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2);
}

export function primeFactors(n: number): number[] {
  const factors: number[] = [];
  let rest = n;
  for (let p = 2; p * p <= rest; p++) {
    while (rest % p === 0) {
      factors.push(p);
      rest /= p;
    }
  }
  if (rest > 1) factors.push(rest);
  return factors;
}

export function statistics(values: number[]): ComputeResult["results"]["statistics"] {
  const sum = values.reduce((a, b) => a + b, 0);
  return { mean: sum / values.length, max: Math.max(...values), min: Math.min(...values), sum };
}

/** Knobs of the simulation, fixed here so a reader sees them: the original lab slept U(0.1, 0.5) s. */
export const SIMULATED_WORK_MS = { min: 100, max: 500 } as const;

export interface ComputeService {
  compute(value: number): Promise<ComputeResult>;
}

/** The computation behind GET /compute: fibonacci, prime factors, a simulated wait and some statistics. */
export function createService(
  { log, metrics }: Deps,
  sleep: (ms: number) => Promise<void> = Bun.sleep,
  random: () => number = Math.random,
): ComputeService {
  return {
    async compute(value) {
      const started = performance.now();
      log.info(`Starting computation with value=${value}`, { "lab.compute.value": value });
      const fibInput = Math.min(value, 20);
      const fib = { input: fibInput, result: fibonacci(fibInput) };
      const factorInput = Math.max(value, 2);
      const factors = { input: factorInput, factors: primeFactors(factorInput) };
      const waitMs = SIMULATED_WORK_MS.min + random() * (SIMULATED_WORK_MS.max - SIMULATED_WORK_MS.min);
      await sleep(waitMs);
      const stats = statistics(Array.from({ length: 10 }, () => 1 + Math.floor(random() * 100)));
      const seconds = (performance.now() - started) / 1000;
      metrics.compute.add(1, { operation: "compute" });
      metrics.computeDuration.record(seconds, { operation: "compute" });
      metrics.computationValue.record(value, { operation: "input" });
      log.info(`Computation completed in ${seconds.toFixed(3)}s`);
      return {
        status: "success",
        service: "service-d",
        input_value: value,
        results: { fibonacci: fib, prime_factors: factors, statistics: stats },
        duration_seconds: Math.round(seconds * 1000) / 1000,
      };
    },
  };
}
