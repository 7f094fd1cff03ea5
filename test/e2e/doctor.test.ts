/**
 * `o11y-lab doctor` as a user runs it, against the e2e lab: the real services, collector and Prometheus, with Tempo
 * and Loki stand-ins fed what the collector exported (test/e2e/standins.ts). Every signal found; with the lab down,
 * or a backend gone, or a signal missing, it says which in one line and exits non-zero.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { ROLE_NAMES } from "../../src/roles.ts";
import { panelPromQL } from "../../src/stack/dashboard-queries.ts";
import { runCli } from "./cli.ts";
import { type Lab, lab } from "./lab.ts";
import { startStandins } from "./standins.ts";

let l: Lab;
let standins: ReturnType<typeof startStandins>;
let flowing = true;
let traffic: Promise<void> | undefined;
// No docker on PATH: the lab that answers is not run by Docker, so doctor leaves Docker out of it.
const env = { ...process.env, PATH: dirname(process.execPath), NO_COLOR: "1" };

beforeAll(async () => {
  l = await lab();
  standins = startStandins(l.sink);
  // One failing third party: an ERROR span and a warning log, as the error panels expect.
  l.thirdParty.setFailure(503);
  await l.get("/api/process");
  l.thirdParty.setFailure(null);
  traffic = (async () => {
    while (flowing) {
      await l.get("/api/process").catch(() => undefined);
      await Bun.sleep(250);
    }
  })();
  await l.prometheus.waitForQuery(
    'sum(rate(http_server_request_duration_seconds_count{job="o11y-lab/api-gateway"}[1m])) > 0',
    {
      timeoutMs: 90_000,
    },
  );
}, 120_000);

afterAll(async () => {
  flowing = false;
  await traffic;
  await standins.stop();
});

function services(): string {
  return ROLE_NAMES.map((role) => `${role}=${l.roleUrl(role)}`).join(",");
}

async function doctor(overrides: Record<string, string> = {}): Promise<{ code: number; lines: string[] }> {
  const flags = {
    prometheus: l.prometheus.url,
    tempo: standins.url,
    loki: standins.url,
    services: services(),
    ...overrides,
  };
  const { code, out } = await runCli(["doctor", ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])], env);
  return { code, lines: out.trim().split("\n") };
}

const line = (lines: string[], name: string) =>
  lines.find((l) => l.slice(2).startsWith(`${name}:`)) ?? `(no ${name} line)`;

describe("doctor with the lab up", () => {
  test("every signal reaches its backend; only the service-graph panels lack data (no Tempo metrics-generator here)", async () => {
    const { code, lines } = await doctor();
    expect(line(lines, "Prometheus")).toMatch(/^✓ Prometheus: (\d+) of \1 scrape targets up$/);
    expect(line(lines, "services")).toBe("✓ services: all 5 services ready");
    expect(line(lines, "traces → Tempo")).toMatch(/^✓ traces → Tempo: trace [0-9a-f]{32}: \d+ spans from .*service-c/);
    expect(line(lines, "logs → Loki")).toMatch(/^✓ logs → Loki: \d+ log lines of trace [0-9a-f]{32} in Loki$/);
    expect(line(lines, "metrics → Prometheus")).toMatch(
      /^✓ metrics → Prometheus: the gateway's request count moved \d+ → \d+$/,
    );
    expect(line(lines, "exemplars")).toMatch(/^✓ exemplars: \d+ exemplars, each with a trace_id$/);
    const serviceGraph = panelPromQL()
      .filter((q) => q.expr.includes("traces_service_graph_"))
      .map((q) => q.source);
    const dashboards = line(lines, "dashboards");
    expect(dashboards).toStartWith(`✗ dashboards: ${serviceGraph.length} of `);
    expect(dashboards.split(": ").slice(2).join(": ").split(" — ")[0]?.split("; ").sort()).toEqual(serviceGraph.sort());
    expect(lines.some((l) => l.includes("Docker"))).toBe(false);
    expect(lines.at(-1)).toBe("o11y-lab: 1 check failed — see the ✗ lines above");
    expect(code).not.toBe(0);
  }, 180_000);
});

describe("doctor says which part is missing, one line each, and exits non-zero", () => {
  test("the lab is down: Docker and Prometheus, each with the fix", async () => {
    const { code, lines } = await doctor({ prometheus: "http://127.0.0.1:9" });
    expect(line(lines, "Docker")).toStartWith("✗ Docker: Docker is not installed (no docker on PATH) — install Docker");
    expect(line(lines, "Prometheus")).toBe(
      "✗ Prometheus: Prometheus is unreachable at http://127.0.0.1:9 (connection refused) — start the lab: o11y-lab up",
    );
    expect(lines.some((l) => l.includes("Tempo") || l.includes("Loki"))).toBe(false);
    expect(code).not.toBe(0);
  });

  test("Tempo unreachable, and logs missing from Loki", async () => {
    const empty = startStandins({ ...l.sink, logRecords: () => [] });
    try {
      const { code, lines } = await doctor({ tempo: "http://127.0.0.1:9", loki: empty.url });
      expect(line(lines, "traces → Tempo")).toBe(
        "✗ traces → Tempo: Tempo is unreachable at http://127.0.0.1:9 (connection refused)",
      );
      expect(line(lines, "logs → Loki")).toMatch(
        /^✗ logs → Loki: no log line of trace [0-9a-f]{32} in Loki after 30 s: \{service_name="api-gateway"\} \| trace_id="[0-9a-f]{32}" — /,
      );
      expect(line(lines, "metrics → Prometheus")).toStartWith("✓");
      expect(code).not.toBe(0);
    } finally {
      await empty.stop();
    }
  }, 120_000);
});
