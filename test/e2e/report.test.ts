/**
 * `o11y-lab report` after a short run against the e2e lab (a real app-level fault, the real Prometheus, a Tempo
 * stand-in fed the collector's export): every RED number equals the same PromQL asked directly for the same range,
 * and the HTML page renders in headless Chromium to a screenshot that is not blank.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as q from "../../src/queries.ts";
import { ROLE_NAMES } from "../../src/roles.ts";
import { over, type ReportData } from "../../src/verdict/report.ts";
import { formatRed } from "../../src/verdict/report-render.ts";
import { decodePng, ink } from "../support/png.ts";
import { runCli } from "./cli.ts";
import { type Lab, lab } from "./lab.ts";
import { startStandins } from "./standins.ts";

let l: Lab;
let tempo: ReturnType<typeof startStandins>;
let flowing = true;
let traffic: Promise<void>[] = [];
const STATE = mkdtempSync(join(tmpdir(), "o11y-lab-report-"));
const env = { ...process.env, NODE_ENV: "production", O11Y_LAB_STATE_DIR: STATE, NO_COLOR: "1" };

const cli = (args: string[]) => runCli(args, env);

const services = () => ROLE_NAMES.map((role) => `${role}=${l.roleUrl(role)}`).join(",");
let paths: { markdown: string; html: string };

beforeAll(async () => {
  l = await lab();
  tempo = startStandins(l.sink);
  traffic = [1, 2].map(async () => {
    while (flowing) {
      await fetch(`${l.gatewayUrl}/api/process`, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
      await Bun.sleep(200);
    }
  });
  // A k6 summary as k6's handleSummary writes it (k6 is AGPL and never runs here): input, not a result.
  mkdirSync(join(STATE, "k6", "reports"), { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-");
  writeFileSync(
    join(STATE, "k6", "reports", `smoke-${stamp}.json`),
    JSON.stringify({
      metrics: {
        http_req_duration: { values: { "p(95)": 420 }, thresholds: { "p(95)<500": { ok: true } } },
        http_req_failed: { values: { rate: 0.02 }, thresholds: { "rate<0.01": { ok: false } } },
        checks: { values: { passes: 98, fails: 2 } },
      },
    }),
  );
  await l.prometheus.waitForQuery(q.latencyQuantile(0.95), { timeoutMs: 90_000 });
  await Bun.sleep(60_000);
  const flags = ["--prometheus", l.prometheus.url, "--grafana", "http://127.0.0.1:9", "--services", services()];
  expect((await cli(["chaos", "500-errors", "--app", ...flags])).code).toBe(0);
  await Bun.sleep(30_000);
  expect((await cli(["chaos", "stop", ...flags])).code).toBe(0);
  await Bun.sleep(25_000);
  const run = await cli([
    "report",
    "--prometheus",
    l.prometheus.url,
    "--tempo",
    tempo.url,
    ...flags.slice(2, 4),
    "--since",
    "30",
  ]);
  expect(run.code).toBe(0);
  const [markdown = "", html = ""] = run.out.trim().split("\n");
  paths = { markdown, html };
}, 300_000);

afterAll(async () => {
  flowing = false;
  await Promise.all(traffic);
  await tempo.stop();
  rmSync(STATE, { recursive: true, force: true });
});

async function direct(expr: string, time: number): Promise<Map<string, number>> {
  const params = new URLSearchParams({ query: expr, time: String(time) });
  const answer = (await (await fetch(`${l.prometheus.url}/api/v1/query?${params}`)).json()) as {
    data: { result: Array<{ metric: { job?: string }; value: [number, string] }> };
  };
  return new Map(answer.data.result.map((r) => [q.roleOfJob(r.metric.job) ?? "", Number(r.value[1])]));
}

describe("report after a short run", () => {
  test("its RED numbers are the PromQL's for each phase's range, in the JSON and as printed in the Markdown", async () => {
    const data = JSON.parse(readFileSync(paths.markdown.replace(/\.md$/, ".json"), "utf8")) as ReportData;
    const markdown = readFileSync(paths.markdown, "utf8");
    const [fault] = data.faults;
    expect(fault?.scenario).toBe("500-errors");
    expect(fault?.phases.map((p) => p.name)).toEqual(["before", "during", "after"]);
    for (const phase of fault?.phases ?? []) {
      const seconds = phase.end - phase.start;
      const expected = {
        rate: await direct(over(q.requestRate, seconds), phase.end),
        errors: await direct(over(q.errorPercent, seconds), phase.end),
        p95: await direct(over(q.latencyQuantile(0.95), seconds), phase.end),
      };
      for (const role of ROLE_NAMES) {
        for (const key of ["rate", "errors", "p95"] as const) {
          const want = expected[key].get(role);
          const got = phase.red[role]?.[key];
          if (want === undefined || !Number.isFinite(want)) expect(got).toBeNull();
          else expect(got).toBeCloseTo(want, 9);
        }
      }
    }
    const during = fault?.phases[1]?.red["api-gateway"];
    expect(during?.errors ?? 0).toBeGreaterThan(20);
    expect(fault?.phases[0]?.red["api-gateway"]?.errors).toBe(0);
    const row = markdown.split("\n").find((line) => line.startsWith("| api-gateway |")) ?? "";
    for (const phase of fault?.phases ?? []) {
      const r = phase.red["api-gateway"] ?? { rate: null, errors: null, p95: null };
      for (const cell of [formatRed.rate(r), formatRed.errors(r), formatRed.p95(r)]) expect(row).toContain(cell);
    }
    expect(markdown).toContain("smoke-");
    expect(markdown).toContain("FAIL (http_req_failed rate<0.01): 1 of 2 thresholds held; checks 98 passed, 2 failed");
    expect(markdown).toMatch(/- error \d+ ms api-gateway .*\]\(http:\/\/127\.0\.0\.1:9\/explore\?/);
  });

  test("the HTML renders in headless Chromium and the screenshot is not blank", async () => {
    const shot = (url: string) => {
      const dir = mkdtempSync(join(tmpdir(), "o11y-lab-chromium-"));
      const png = join(dir, "shot.png");
      const run = Bun.spawnSync(
        [
          "chromium",
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          `--user-data-dir=${join(dir, "profile")}`,
          "--window-size=1000,1200",
          `--screenshot=${png}`,
          url,
        ],
        { stdout: "pipe", stderr: "pipe", timeout: 60_000 },
      );
      try {
        if (run.exitCode !== 0)
          throw new Error(`chromium exited ${run.exitCode}: ${run.stderr.toString().slice(-400)}`);
        return ink(decodePng(new Uint8Array(readFileSync(png))));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const report = shot(`file://${paths.html}`);
    expect(report.share).toBeGreaterThan(0.02);
    expect(report.colours).toBeGreaterThan(20);
    // The measure can tell: an empty page is blank by it.
    const emptyPage = join(STATE, "empty.html");
    writeFileSync(emptyPage, "<!doctype html><html><body></body></html>");
    expect(shot(`file://${emptyPage}`).share).toBeLessThan(0.001);
  }, 120_000);
});
