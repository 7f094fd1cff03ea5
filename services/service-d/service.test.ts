import { describe, expect, test } from "bun:test";
import { memoryLog, mount } from "../../test/support/http.ts";
import { createApp } from "./app.ts";
import { createService, fibonacci, primeFactors, statistics } from "./service.ts";

function recorder() {
  const seen: Array<[string, number]> = [];
  const counter = (name: string) => ({ add: (v: number) => seen.push([name, v]) });
  const histogram = (name: string) => ({ record: (v: number) => seen.push([name, v]) });
  return {
    seen,
    metrics: {
      compute: counter("compute"),
      computeDuration: histogram("duration"),
      computationValue: histogram("value"),
    },
  };
}

describe("service-d", () => {
  test("math", () => {
    expect(fibonacci(20)).toBe(6765);
    expect(primeFactors(84)).toEqual([2, 2, 3, 7]);
    expect(primeFactors(97)).toEqual([97]);
    expect(statistics([1, 2, 3])).toEqual({ mean: 2, max: 3, min: 1, sum: 6 });
  });

  test("compute caps fibonacci at 20, waits the simulated time and records its metrics", async () => {
    const { seen, metrics } = recorder();
    const waits: number[] = [];
    const service = createService(
      { log: memoryLog(), metrics },
      async (ms) => void waits.push(ms),
      () => 0.5,
    );
    const result = await service.compute(42);
    expect(result.service).toBe("service-d");
    expect(result.results.fibonacci).toEqual({ input: 20, result: 6765 });
    expect(result.results.prime_factors).toEqual({ input: 42, factors: [2, 3, 7] });
    expect(waits).toEqual([300]);
    expect(seen.map(([n]) => n)).toEqual(["compute", "duration", "value"]);
    expect(seen[2]).toEqual(["value", 42]);
  });

  test("bad input is a 400 naming the field; good input is a 200", async () => {
    const { metrics } = recorder();
    const call = mount("service-d", createApp(createService({ log: memoryLog(), metrics }, async () => {})));
    for (const bad of ["abc", "-5", "0", "101", "5.5", ""]) {
      const { status, body } = await call(`/compute?value=${bad}`);
      expect({ bad, status, field: body.field }).toEqual({ bad, status: 400, field: "value" });
    }
    const ok = await call("/compute?value=10");
    expect(ok.status).toBe(200);
    expect(ok.body.input_value).toBe(10);
    expect((await call("/compute")).body.input_value).toBe(10);
    expect((await call("/info")).body.service).toBe("service-d");
  });
});
