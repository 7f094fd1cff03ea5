import { describe, expect, test } from "bun:test";
import { FaultSwitch, faultsFromEnv, MAX_DELAY_MS, NO_FAULTS, sleepUnless, withFaults } from "./faults.ts";

const ok = async () => new Response("ok");

describe("fault flags", () => {
  test("read from env, and bad values are refused with the variable's name", () => {
    expect(faultsFromEnv({})).toEqual(NO_FAULTS);
    expect(
      faultsFromEnv({ LAB_FAULT_LATENCY_MS: "200", LAB_FAULT_ERROR_RATE: "0.5", LAB_FAULT_ERROR_STATUS: "503" }),
    ).toEqual({
      latency_ms: 200,
      jitter_ms: 0,
      error_rate: 0.5,
      error_status: 503,
    });
    expect(() => faultsFromEnv({ LAB_FAULT_ERROR_RATE: "2" })).toThrow("LAB_FAULT_ERROR_RATE");
    expect(() => faultsFromEnv({ LAB_FAULT_LATENCY_MS: "soon" })).toThrow("LAB_FAULT_LATENCY_MS");
    expect(() => faultsFromEnv({ LAB_FAULT_LATENCY_MS: "20000", LAB_FAULT_JITTER_MS: "20000" })).toThrow(
      String(MAX_DELAY_MS),
    );
  });

  test("latency is mean ± jitter, errors answer the configured status, probes are exempt", async () => {
    const slept: number[] = [];
    const faults = new FaultSwitch({ latency_ms: 100, jitter_ms: 50, error_rate: 0.5, error_status: 504 });
    let r = 0;
    const randoms = [1, 0.9, 0, 0.1];
    const handler = withFaults(
      ok,
      faults,
      "service-d",
      () => randoms[r++] ?? 0,
      async (ms) => void slept.push(ms),
    );
    const first = await handler(new Request("http://x/compute"));
    expect([first.status, slept[0]]).toEqual([200, 150]);
    const second = await handler(new Request("http://x/compute"));
    expect([second.status, slept[1]]).toEqual([504, 50]);
    expect(await second.json()).toMatchObject({ service: "service-d", fault: true });
    for (const path of ["/health", "/ready", "/admin/faults"]) {
      expect((await handler(new Request(`http://x${path}`))).status).toBe(200);
    }
    expect(slept).toHaveLength(2);
  });

  test("a delay in progress ends when the flags change, and the flags then in force decide", async () => {
    const faults = new FaultSwitch({ latency_ms: 20_000, jitter_ms: 0, error_rate: 1, error_status: 503 });
    const handler = withFaults(ok, faults, "service-d");
    const started = performance.now();
    const held = handler(new Request("http://x/compute"));
    await Bun.sleep(20);
    faults.set({ ...NO_FAULTS });
    expect((await held).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test("latency + jitter past the limit is refused, naming jitter_ms", () => {
    const faults = new FaultSwitch();
    expect(() => faults.set({ ...NO_FAULTS, latency_ms: MAX_DELAY_MS, jitter_ms: 1 })).toThrow("jitter_ms");
    expect(faults.faults).toEqual(NO_FAULTS);
  });

  test("sleepUnless ends at once on an aborted signal", async () => {
    const started = performance.now();
    await sleepUnless(10_000, AbortSignal.abort());
    expect(performance.now() - started).toBeLessThan(50);
  });
});
