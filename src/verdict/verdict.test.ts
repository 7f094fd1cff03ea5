import { describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCENARIOS } from "../chaos/catalogue.ts";
import { isRoleName } from "../roles.ts";
import { formatValue, verdictLine } from "./check.ts";
import { hypothesisOf } from "./hypothesis.ts";
import { type ChaosEvent, current, record } from "./journal.ts";
import { liveLine } from "./live.ts";
import { verdictStatus } from "./status.ts";

describe("verdict lines", () => {
  test("✓ with the value, ✗ with the value and the fix", () => {
    expect(verdictLine("p95", { ok: true, line: "0.48 s", fix: "ignored" })).toBe("✓ p95: 0.48 s");
    expect(verdictLine("p95", { ok: false, line: "no data", fix: "run k6" })).toBe("✗ p95: no data — run k6");
  });

  test("seconds, percent and counts", () => {
    expect(formatValue(0.4812, "s")).toBe("0.48 s");
    expect(formatValue(12.345, "s")).toBe("12.3 s");
    expect(formatValue(50, "%")).toBe("50.0 %");
    expect(formatValue(3, "")).toBe("3");
    expect(formatValue(Number.NaN, "s")).toBe("no data");
  });
});

describe("every scenario states a hypothesis in both forms", () => {
  for (const s of SCENARIOS) {
    test(s.name, () => {
      for (const app of [false, true]) {
        const h = hypothesisOf(s, app);
        expect(h.within).toBeGreaterThan(0);
        if (h.measure === "p95") expect(h.rise).toBeGreaterThan(0);
        if (h.measure === "errors") expect(h.above).toBeGreaterThan(0);
        if (h.measure !== "down") expect(isRoleName(h.role)).toBe(true);
        // Containers can only be down when Pumba killed them; the app-level form has no container to watch.
        if (app) expect(h.measure).not.toBe("down");
      }
      if (s.pumba.length === 0) expect(hypothesisOf(s, false)).toBe(s.app.hypothesis);
    });
  }
});

describe("the journal's running scenario", () => {
  const start = (at: number, scenario: string) => ({ at, kind: "start" as const, scenario, app: true });
  test("the last start since the last stop, with its verdict", () => {
    const verdict: ChaosEvent = { at: 3, kind: "verdict", scenario: "b", ok: true, line: "PASS b" };
    expect(current([start(1, "a"), { at: 2, kind: "stop" }, start(3, "b"), verdict])).toEqual({
      start: start(3, "b"),
      verdict,
    });
    expect(current([start(1, "a"), { at: 2, kind: "stop" }])).toBeUndefined();
    expect(current([])).toBeUndefined();
  });
});

describe("the TUI's verdict status", () => {
  test("lab step and running scenario, from the state dir", async () => {
    const dir = await mkdtemp(join(tmpdir(), "o11y-lab-status-"));
    const env = { O11Y_LAB_STATE_DIR: dir };
    try {
      expect(await verdictStatus(env)).toBeUndefined();
      const hypothesis = { measure: "p95", role: "api-gateway", rise: 0.8, within: 60 } as const;
      const text = "api-gateway p95 now 0.48 s; expect > 1.28 s within 60 s";
      const stated = { scenario: "delay-service-a", hypothesis, baseline: 0.48, target: 1.28, recovered: 0.88, text };
      await record({ at: 1, kind: "start", scenario: "delay-service-a", app: true, stated }, env);
      expect(await verdictStatus(env)).toBe("delay-service-a: api-gateway p95 expect > 1.28 s within 60 s");
      await record({ at: 2, kind: "verdict", scenario: "delay-service-a", ok: true, line: "PASS …" }, env);
      expect(await verdictStatus(env)).toBe("delay-service-a: PASS");
      await record({ at: 3, kind: "stop" }, env);
      expect(await verdictStatus(env)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the live reading", () => {
  const sink = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, out: { isTTY, write: (t: string) => written.push(t) } };
  };
  test("on a terminal, rewritten in place, and ended with a newline before the verdict", () => {
    const { written, out } = sink(true);
    const live = liveLine(out);
    live.show("a");
    live.show("b");
    live.end();
    live.end();
    expect(written).toEqual(["\r\u001b[K  now: a", "\r\u001b[K  now: b", "\n"]);
  });
  test("elsewhere, one line per reading", () => {
    const { written, out } = sink(false);
    const live = liveLine(out);
    live.show("a");
    live.end();
    expect(written).toEqual(["  now: a\n"]);
  });
});
