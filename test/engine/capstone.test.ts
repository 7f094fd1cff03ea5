/**
 * The tutorial's capstone (docs/tutorial/en/13-capstone.md) on the real engine: the chapter's own command lines, read
 * from the page and run in order as a learner types them, with the lab up (lab.test.ts runs first). Two things of this
 * machine stand in: k6 is a stand-in image that sends no traffic, so the test's own requests through the gateway are
 * the load; and the kernel has no sch_netem, so `chaos delay-service-b` switches to its app-level form by itself, as
 * the chapter says it does where netem is missing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { commandLines } from "../support/docs.ts";
import { allHealthy, gateway, lab, said } from "./engine.ts";

const MINUTE = 60_000;
let flowing = true;
let traffic: Promise<void> | undefined;

beforeAll(async () => {
  if (!(await allHealthy())) {
    const run = await lab(["up"], { timeoutMs: 10 * MINUTE });
    expect(run.code, said(run)).toBe(0);
  }
  traffic = (async () => {
    while (flowing) {
      await gateway().catch(() => undefined);
      await Bun.sleep(250);
    }
  })();
  // --watch states its hypothesis from a baseline: a minute of p95 before the fault.
  await Bun.sleep(70_000);
}, 12 * MINUTE);

afterAll(async () => {
  flowing = false;
  await traffic;
  await lab(["chaos", "stop"]);
});

test(
  "the capstone's commands, in the chapter's order: the hypothesis PASSes, chaos stop --watch sees the recovery",
  async () => {
    const lines = commandLines("tutorial/en/13-capstone.md").slice(0, 5);
    expect(lines).toEqual([
      "o11y-lab k6 load --duration 10m --background",
      "o11y-lab chaos delay-service-b --watch",
      "o11y-lab chaos status",
      "o11y-lab chaos stop --watch",
      "o11y-lab k6 smoke",
    ]);
    const said_: string[] = [];
    for (const line of lines) {
      const run = await lab(line.split(/\s+/).slice(1), { timeoutMs: 5 * MINUTE });
      expect(run.code, `${line}: ${said(run)}`).toBe(0);
      said_.push(run.output);
    }
    expect(said_[1]).toContain("PASS delay-service-b");
    expect(said_[2]).toContain("service-b fault flags: +1000 ms");
    expect(said_[3]).toContain("PASS delay-service-b recovered");
  },
  20 * MINUTE,
);
