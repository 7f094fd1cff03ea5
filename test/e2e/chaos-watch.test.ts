/**
 * `o11y-lab chaos delay-service-a --app --watch` as a user runs it, against the real services and Prometheus: the
 * hypothesis is stated from the live baseline, the fault makes it PASS, `chaos stop --watch` sees the recovery, and
 * when the fault never reaches service-a (its fault switch answered by something else) the watch ends FAIL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NO_FAULT } from "../../src/chaos/faults.ts";
import { latencyQuantile } from "../../src/queries.ts";
import { ROLE_NAMES } from "../../src/roles.ts";
import { readJournal } from "../../src/verdict/journal.ts";
import { runCli } from "./cli.ts";
import { type Lab, lab } from "./lab.ts";

let l: Lab;
let flowing = true;
let traffic: Promise<void>[] = [];
const STATE = mkdtempSync(join(tmpdir(), "o11y-lab-chaos-watch-"));
// Not NODE_ENV=test (bun test's): consola would then keep its info and success lines to itself.
const env = { ...process.env, NODE_ENV: "production", O11Y_LAB_STATE_DIR: STATE, NO_COLOR: "1" };

beforeAll(async () => {
  l = await lab();
  traffic = [1, 2].map(async () => {
    while (flowing) {
      await fetch(`${l.gatewayUrl}/api/process`, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
      await Bun.sleep(150);
    }
  });
  // A baseline needs a minute-window p95 of the gateway.
  await l.prometheus.waitForQuery(latencyQuantile(0.95), {
    timeoutMs: 90_000,
    predicate: (v) => v.some((s) => s.metric.job === "o11y-lab/api-gateway" && Number.isFinite(Number(s.value[1]))),
  });
}, 120_000);

afterAll(async () => {
  flowing = false;
  await Promise.all(traffic);
  for (const role of ROLE_NAMES) await fetch(`${l.roleUrl(role)}/admin/faults`, { method: "DELETE" }).catch(() => 0);
  rmSync(STATE, { recursive: true, force: true });
});

function services(overrides: Record<string, string> = {}): string {
  return ROLE_NAMES.map((role) => `${role}=${overrides[role] ?? l.roleUrl(role)}`).join(",");
}

const cli = (args: string[]) => runCli(args, env);

const flags = () => ["--prometheus", l.prometheus.url, "--grafana", "http://127.0.0.1:9"];

describe("chaos delay-service-a --app --watch", () => {
  test("FAIL, non-zero, when the fault never reaches service-a", async () => {
    // A fault switch that says yes and does nothing: the scenario "starts", the gateway stays fast.
    const inert = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json(NO_FAULT) });
    try {
      const run = await cli([
        "chaos",
        "delay-service-a",
        "--app",
        "--watch",
        ...flags(),
        "--services",
        services({ "service-a": `http://127.0.0.1:${inert.port}` }),
      ]);
      expect(run.out).toMatch(/hypothesis: api-gateway p95 now \d+\.\d\d s; expect > \d+\.\d\d s within 60 s/);
      expect(run.out).toMatch(
        /FAIL delay-service-a: api-gateway p95 \d+\.\d\d s \(> \d+\.\d\d s expected\) after 60 s/,
      );
      expect(run.code).not.toBe(0);
    } finally {
      await inert.stop(true);
    }
    const events = await readJournal(env);
    expect(events.at(-1)).toMatchObject({ kind: "verdict", scenario: "delay-service-a", ok: false });
    await cli(["chaos", "stop", ...flags(), "--services", services()]);
  }, 150_000);

  test("PASS against the real services; chaos stop --watch sees the recovery", async () => {
    const run = await cli(["chaos", "delay-service-a", "--app", "--watch", ...flags(), "--services", services()]);
    expect(run.out).toMatch(/hypothesis: api-gateway p95 now (\d+\.\d\d) s; expect > (\d+\.\d\d) s within 60 s/);
    const [, baseline, target] = /now (\d+\.\d\d) s; expect > (\d+\.\d\d) s/.exec(run.out) ?? [];
    expect(Number(target) - Number(baseline)).toBeCloseTo(0.8, 2);
    const pass = /PASS delay-service-a: api-gateway p95 (\d+\.\d\d) s/.exec(run.out);
    expect(pass ? Number(pass[1]) : run.out).toBeGreaterThan(Number(target));
    expect(run.code).toBe(0);
    // What the CLI saw is what Prometheus says: the gateway's p95 is past the target now.
    const [sample] = (await l.prometheus.query(latencyQuantile(0.95))).filter(
      (s) => s.metric.job === "o11y-lab/api-gateway",
    );
    expect(Number(sample?.value[1])).toBeGreaterThan(Number(target));

    const stop = await cli(["chaos", "stop", "--watch", ...flags(), "--services", services()]);
    expect(stop.out).toMatch(/PASS delay-service-a recovered: api-gateway p95 \d+\.\d\d s \(< \d+\.\d\d s expected\)/);
    expect(stop.code).toBe(0);
    const kinds = (await readJournal(env)).slice(-4).map((e) => e.kind);
    expect(kinds).toEqual(["start", "verdict", "stop", "recovery"]);
  }, 240_000);
});
