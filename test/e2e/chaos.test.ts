/**
 * App-level chaos against the real services: the fault flags set by `o11y-lab chaos --app` (the same code path,
 * with the services' URLs of the e2e lab) change what the gateway answers and what reaches Prometheus and the
 * trace pipeline, and `chaos stop` brings everything back.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { scenarioByName } from "../../src/chaos/catalogue.ts";
import { FaultClient } from "../../src/chaos/faults.ts";
import { type ChaosDeps, startScenario, stopChaos } from "../../src/chaos/run.ts";
import { ROLE_NAMES, type RoleName } from "../../src/roles.ts";
import { docker } from "../../src/stack/docker.ts";
import { type Lab, lab } from "./lab.ts";
import { pollUntil } from "./peers.ts";

const SERVER = 2;
const ERROR = 2;

/** The chaos runner wired to the e2e lab: its role URLs, no Docker (flags only), no Grafana. */
async function chaos(): Promise<{ l: Lab; deps: ChaosDeps; log: string[] }> {
  const l = await lab();
  const log: string[] = [];
  const push = (message: string) => log.push(message);
  const deps: ChaosDeps = {
    docker: docker({ PATH: "/nonexistent" }),
    faults: new FaultClient((role) => l.roleUrl(role)),
    annotate: async () => true,
    log: { info: push, success: push, warn: push, log: push },
    random: Math.random,
    sleep: (ms) => Bun.sleep(ms),
  };
  return { l, deps, log };
}

afterEach(async () => {
  const { deps } = await chaos();
  await stopChaos(deps);
});

/** Status codes of `n` concurrent GET /api/process at the gateway. */
async function statuses(l: Lab, n: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: n }, () => fetch(`${l.gatewayUrl}/api/process`).then((r) => r.text().then(() => r.status))),
  );
}

/** The gateway's p95 for /api/process over `window`, from the real Prometheus (NaN without samples). */
async function gatewayP95(l: Lab, window: string): Promise<number> {
  const [sample] = await l.prometheus.query(
    `histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{job="o11y-lab/api-gateway", http_route="/api/process"}[${window}])))`,
  );
  return Number(sample?.value[1] ?? Number.NaN);
}

describe("app-level faults against the real services", () => {
  test("latency on service-d raises the gateway's p95 in Prometheus; clearing it brings p95 back", async () => {
    const { l, deps } = await chaos();
    await deps.faults.set("service-d", { latency_ms: 3000, jitter_ms: 0 });
    for (let round = 0; round < 2; round++) expect(new Set(await statuses(l, 10))).toEqual(new Set([200]));
    const slow = await pollUntil("gateway p95 above 2.5 s", async () => {
      const p95 = await gatewayP95(l, "30s");
      return p95 > 2.5 ? p95 : undefined;
    });
    expect(slow).toBeGreaterThan(2.5);

    await stopChaos(deps);
    const fast = await pollUntil(
      "gateway p95 back under 1.5 s",
      async () => {
        await statuses(l, 5);
        const p95 = await gatewayP95(l, "15s");
        return p95 < 1.5 ? p95 : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    expect(fast).toBeLessThan(1.5);
  });

  test("an error rate on service-b: 502 at the gateway and ERROR spans; cleared, 200 again", async () => {
    const { l, deps } = await chaos();
    const since = BigInt(Date.now()) * 1_000_000n;
    await deps.faults.set("service-b", { error_rate: 1, error_status: 500 });
    // service-a reports a dependency that answered 5xx as 502; the gateway passes service-a's status through.
    expect(new Set(await statuses(l, 6))).toEqual(new Set([502]));

    const errorSpan = (role: RoleName) =>
      l.sink
        .spans()
        .some(
          (s) =>
            s.resource["service.name"] === role &&
            s.span.kind === SERVER &&
            s.span.status?.code === ERROR &&
            BigInt(s.span.startTimeUnixNano ?? "0") >= since,
        );
    await pollUntil("ERROR server spans on service-b, service-a and api-gateway", async () =>
      (["service-b", "service-a", "api-gateway"] as const).every(errorSpan) ? true : undefined,
    );

    await stopChaos(deps);
    expect(new Set(await statuses(l, 6))).toEqual(new Set([200]));
  });
});

describe("the HTTP error demos, app-level", () => {
  for (const [name, status] of [
    ["500-errors", 500],
    ["503-errors", 503],
    ["504-errors", 504],
  ] as const) {
    test(`${name} makes the gateway answer ${status}, and only that; chaos stop ends it`, async () => {
      const { l, deps } = await chaos();
      const scenario = scenarioByName(name);
      if (!scenario) throw new Error(name);
      await startScenario(scenario, { app: true }, deps);
      const seen = await statuses(l, 16);
      expect(seen).toContain(status);
      expect(new Set(seen.filter((s) => s !== 200))).toEqual(new Set([status]));

      await stopChaos(deps);
      const faults = await Promise.all(ROLE_NAMES.map((role) => deps.faults.get(role)));
      expect(faults.every((f) => f.error_rate === 0 && f.latency_ms === 0)).toBe(true);
      expect(new Set(await statuses(l, 4))).toEqual(new Set([200]));
    });
  }
});
