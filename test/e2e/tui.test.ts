/**
 * `o11y-lab tui` against the real Prometheus, after real traffic: its numbers are the PromQL's numbers, and the
 * compiled binary, driven through tmux, shows a fault's effect, opens the trace of a slow exemplar as a waterfall and
 * that trace's logs, and leaves the terminal as it found it. Tempo and Loki are the stand-ins of standins.ts, fed by
 * what the real collector exported.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { $ } from "bun";
import * as q from "../../src/queries.ts";
import { ROLES } from "../../src/roles.ts";
import { chaosMenu } from "../../src/tui/actions.ts";
import type { Snapshot } from "../../src/tui/snapshot.ts";
import { lab } from "./lab.ts";
import { freePort, pollUntil } from "./peers.ts";
import { startStandins } from "./standins.ts";

const ROOT = join(import.meta.dir, "../..");
const BINARY = join(ROOT, "dist/o11y-lab");
const SOURCE = ["node_modules/.bin/bun", join(ROOT, "src/index.ts")];
/** A tmux server of our own, on a socket in a directory removed afterwards. */
const TMUX_DIR = mkdtempSync(join(tmpdir(), "o11y-lab-tui-"));
const TMUX = ["tmux", "-S", join(TMUX_DIR, "socket")];

let env: Awaited<ReturnType<typeof lab>>;
let standins: ReturnType<typeof startStandins>;
let traffic = true;
let workers: Promise<void>[] = [];

/** Steady, modest traffic through the whole chain and straight to service-d, for as long as this file runs. */
function startTraffic(): Promise<void>[] {
  const urls = [`${env.gatewayUrl}/api/process`, `${env.roleUrl("service-d")}/compute?value=7`];
  return urls.flatMap((url) =>
    [1, 2].map(async () => {
      while (traffic) {
        await fetch(url, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
        await Bun.sleep(200);
      }
    }),
  );
}

beforeAll(async () => {
  env = await lab();
  standins = startStandins(env.sink);
  workers = startTraffic();
  if (!existsSync(BINARY)) await $`node_modules/.bin/bun build.ts`.cwd(ROOT).quiet();
}, 600_000);

afterAll(async () => {
  traffic = false;
  await Promise.all(workers);
  await standins?.stop();
  await $`${TMUX} kill-server`.quiet().nothrow();
  rmSync(TMUX_DIR, { recursive: true, force: true });
});

/** The same PromQL, asked directly, at the snapshot's evaluation time. */
async function direct(promql: string, time: number): Promise<Array<{ job?: string; value: number }>> {
  const params = new URLSearchParams({ query: promql, time: String(time) });
  const answer = (await (await fetch(`${env.prometheus.url}/api/v1/query?${params}`)).json()) as {
    data: { result: Array<{ metric: { job?: string }; value: [number, string] }> };
  };
  return answer.data.result.map((r) => ({ job: r.metric.job, value: Number(r.value[1]) }));
}

function same(actual: number | null, expected: number | undefined): void {
  if (expected === undefined || !Number.isFinite(expected)) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 9);
}

test("tui --once --json gives the numbers the PromQL gives", async () => {
  // Rates need two scrapes of a moving counter.
  await env.prometheus.waitForQuery(q.requestRate, {
    timeoutMs: 90_000,
    predicate: (v) =>
      ["api-gateway", "service-a", "service-d"].every((role) =>
        v.some((s) => s.metric.job === `o11y-lab/${role}` && Number(s.value[1]) > 0),
      ),
  });
  const run = Bun.spawnSync([...SOURCE, "tui", "--once", "--json", "--prometheus", env.prometheus.url], { cwd: ROOT });
  expect(run.stderr.toString()).toBe("");
  expect(run.exitCode).toBe(0);
  const snapshot = JSON.parse(run.stdout.toString()) as Snapshot;
  const perRole = {
    rate: await direct(q.requestRate, snapshot.time),
    errorPercent: await direct(q.errorPercent, snapshot.time),
    p50: await direct(q.latencyQuantile(0.5), snapshot.time),
    p95: await direct(q.latencyQuantile(0.95), snapshot.time),
    p99: await direct(q.latencyQuantile(0.99), snapshot.time),
  };
  for (const service of snapshot.services.filter((s) => s.unit === "req")) {
    for (const [field, samples] of Object.entries(perRole) as Array<[keyof typeof perRole, typeof perRole.rate]>) {
      same(service[field], samples.find((s) => s.job === `o11y-lab/${service.role}`)?.value);
    }
  }
  // service-c's row is the consumer's: messages processed, their failures and processing time.
  const consumer = snapshot.services.find((s) => s.role === "service-c");
  expect(consumer?.unit).toBe("msg");
  same(consumer?.rate ?? null, (await direct(q.kafkaThroughput, snapshot.time))[0]?.value);
  same(consumer?.errorPercent ?? null, (await direct(q.consumerErrorPercent, snapshot.time))[0]?.value);
  same(consumer?.p95 ?? null, (await direct(q.consumerQuantile(0.95), snapshot.time))[0]?.value);
  same(snapshot.postgres.rate, (await direct(q.postgresRate, snapshot.time))[0]?.value);
  same(snapshot.kafka.lag, (await direct(q.kafkaLag, snapshot.time))[0]?.value);
  same(snapshot.kafka.throughput, (await direct(q.kafkaThroughput, snapshot.time))[0]?.value);
  same(snapshot.postgres.p95, (await direct(q.postgresQuantile(0.95), snapshot.time))[0]?.value);

  // After traffic, the path the traffic took has numbers: this is not a comparison of two empty answers.
  const byRole = Object.fromEntries(snapshot.services.map((s) => [s.role, s]));
  for (const role of ["api-gateway", "service-a", "service-d"]) {
    expect(byRole[role]?.reporting).toBe(true);
    expect(byRole[role]?.rate ?? 0).toBeGreaterThan(0);
    expect(byRole[role]?.p95 ?? 0).toBeGreaterThan(0);
  }
  expect(snapshot.postgres.p95 ?? 0).toBeGreaterThan(0);
  expect(consumer?.rate ?? 0).toBeGreaterThan(0);
}, 120_000);

test("tui --once exits non-zero with one clear line when Prometheus is unreachable", async () => {
  const port = await freePort();
  const run = Bun.spawnSync([BINARY, "tui", "--once", "--prometheus", `http://127.0.0.1:${port}`]);
  expect(run.exitCode).not.toBe(0);
  expect(run.stdout.toString()).toBe("");
  const lines = run.stderr.toString().trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toStartWith(`o11y-lab: Prometheus is unreachable at http://127.0.0.1:${port}`);
  expect(lines[0]).toContain("o11y-lab up");
}, 30_000);

async function screen(): Promise<string> {
  return (await $`${TMUX} capture-pane -p -t tui`.quiet()).stdout.toString();
}

async function waitForScreen(what: string, ok: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < deadline) {
    text = await screen();
    if (ok(text)) return text;
    await Bun.sleep(250);
  }
  throw new Error(`screen never showed ${what}; last screen:\n${text}`);
}

async function keys(...names: string[]): Promise<void> {
  for (const name of names) {
    await $`${TMUX} send-keys -t tui ${name}`.quiet();
    await Bun.sleep(150);
  }
}

/** "812ms" / "1.02s" / "—" → seconds (NaN for no data). */
function seconds(text: string): number {
  const match = /^([\d.]+)(ms|s)$/.exec(text);
  if (!match) return Number.NaN;
  return Number(match[1]) / (match[2] === "ms" ? 1000 : 1);
}

/** The cells of a role's row: name, req/s, err%, p50, p95, p99. */
function rowOf(text: string, role: string): string[] {
  const row = text.split("\n").find((l) => l.slice(2).startsWith(`${role} `)) ?? "";
  return row.slice(2).trim().split(/\s+/);
}

function p95Of(text: string, role: string): number {
  return seconds(rowOf(text, role)[4] ?? "");
}

function errorPercentOf(text: string, role: string): number {
  return Number.parseFloat(rowOf(text, role)[2] ?? "");
}

async function faults(role: string): Promise<{ latency_ms: number; error_rate: number }> {
  return (await (await fetch(`${env.roleUrl(role)}/admin/faults`)).json()) as {
    latency_ms: number;
    error_rate: number;
  };
}

test("tmux: the compiled binary shows a fault's effect, the trace of its slow exemplar, that trace's logs, chaos, and restores the terminal", async () => {
  const services = ROLES.map((r) => `${r.name}=${env.roleUrl(r.name)}`).join(",");
  const sources = ["--prometheus", env.prometheus.url, "--tempo", standins.url, "--loki", standins.url];
  const command = [BINARY, "tui", "--interval", "1", ...sources, "--services", services]
    .map((word) => `'${word}'`)
    .join(" ");
  await $`${TMUX} new-session -d -s tui -x 100 -y 30 ${`${command}; echo "tui exited with $?"; sleep 600`}`.quiet();

  try {
    await waitForScreen("live numbers", (s) => s.includes("prom ✓") && /api-gateway\s+\d/.test(s));
    expect(await $`${TMUX} display -p -t tui ${"#{alternate_on}"}`.text()).toBe("1\n");

    await keys("?");
    await waitForScreen("the help", (s) => s.includes("toggle a latency (+800ms) / error (50% 500) fault"));
    await keys("x");
    await waitForScreen("the table again", (s) => s.includes("SERVICE") && s.includes("RATE/s"));

    // Earlier e2e files share this lab and may have slowed service-d (the 504 demo): wait for its p95 to settle
    // below the fault's own +0.8 s, so the rise below is the fault's doing.
    const settled = await waitForScreen(
      "service-d's p95 back under 0.8 s",
      (s) => p95Of(s, "service-d") < 0.8,
      180_000,
    );
    const before = p95Of(settled, "service-d");
    const faultStart = Date.now() / 1000;
    await keys("j", "j", "j", "j", "f");
    const on = await waitForScreen("the fault running", (s) => s.includes("fault service-d +800ms"));
    expect(on).toMatch(/› service-d/);
    expect((await faults("service-d")).latency_ms).toBe(800);

    // +800 ms on every request: p95 passes 0.8 s, well above where it was.
    const raised = (s: string) => p95Of(s, "service-d") >= Math.max(0.8, (Number.isFinite(before) ? before : 0) + 0.3);
    const effect = await waitForScreen("service-d's p95 raised by the fault", raised, 120_000);
    console.log(`service-d p95 ${before}s → ${p95Of(effect, "service-d")}s with the fault on:\n${effect}`);

    // Exemplars of the slowed requests reach Prometheus a flush and a scrape after their spans: wait for one, so
    // that the key below has a slow request to find (on a busy machine the p95 can move before that).
    await pollUntil(
      "a slowed service-d exemplar in Prometheus",
      async () => {
        const series = await env.prometheus.exemplars(q.entrySpanDurations("service-d"), 120);
        return series.some((s) => s.exemplars.some((e) => Number(e.value) >= 0.8 && e.timestamp >= faultStart));
      },
      { timeoutMs: 60_000 },
    );

    // One key from the jump to its cause: the slowest exemplar of service-d opens as a waterfall, the cursor on
    // service-d's slow span, its details below.
    await keys("x");
    const waterfall = await waitForScreen(
      "the waterfall of a slow service-d trace",
      (s) => /Trace [0-9a-f]{32} · \d+ spans/.test(s) && /› +\S.*service-d\s+(\d\.\d\ds|[89]\d\dms)/.test(s),
      60_000,
    );
    console.log(`the exemplar's trace:\n${waterfall}`);
    const traceId = /Trace ([0-9a-f]{32})/.exec(waterfall)?.[1] ?? "";
    expect(waterfall).toMatch(/ · service-d · server · (\d\.\d\ds|[89]\d\dms)/);
    const exported = env.sink.spans().filter((s) => s.span.traceId === traceId);
    expect(exported.some((s) => s.resource["service.name"] === "service-d")).toBe(true);

    // l: the logs of that trace, from the Loki stand-in evaluating the TUI's LogQL over the exported records.
    await keys("l");
    const logs = await waitForScreen(
      "the trace's log lines",
      (s) => s.includes(`Logs of trace ${traceId.slice(0, 12)}`) && /INFO\s+service-d\s+⌁ /.test(s),
      30_000,
    );
    console.log(`the trace's logs:\n${logs}`);
    const logged = env.sink
      .logRecords()
      .filter((r) => r.record.traceId === traceId)
      .map((r) => r.record.body?.stringValue);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.some((line) => line && logs.includes(line.slice(0, 30)))).toBe(true);
    await keys("Escape");

    // t: service-d's slow traces from Tempo search (the stand-in), Enter opens one as a waterfall.
    await keys("t");
    await waitForScreen("service-d's slow traces", (s) => /› SLOW .*\d(ms|s) +\S+ GET/.test(s), 30_000);
    await keys("Enter");
    await waitForScreen(
      "a slow trace's waterfall",
      (s) => /Trace [0-9a-f]{32} · \d+ spans/.test(s) && s.includes("service-d"),
    );
    await keys("Escape", "t");

    // Enter: service-d's routes and what it calls, each with its RED.
    await keys("Enter");
    await waitForScreen("the drill-down", (s) => /ROUTES \(served\)/.test(s) && /\/compute\s+\d/.test(s), 30_000);
    await keys("Escape");

    await keys("f");
    await waitForScreen("the fault stopped", (s) => s.includes("▼ stopped fault service-d +800ms"));
    expect((await faults("service-d")).latency_ms).toBe(0);

    // The chaos menu, in-process chaos modules: 500-errors is app-level only (service-a fails half its requests).
    await keys("c", ...Array.from({ length: chaosMenu().findIndex((i) => i.name === "500-errors") }, () => "j"));
    await waitForScreen("500-errors selected", (s) => /› 500-errors/.test(s));
    await keys("Enter");
    await waitForScreen("the chaos running", (s) => s.includes("chaos 500-errors"));
    expect((await faults("service-a")).error_rate).toBe(0.5);
    const errors = await waitForScreen("errors at service-a", (s) => errorPercentOf(s, "service-a") > 0, 120_000);
    console.log(`service-a err% ${errorPercentOf(errors, "service-a")}% with 500-errors on:\n${errors}`);
    await keys("s");
    await waitForScreen("the chaos stopped", (s) => s.includes("▼ stopped chaos 500-errors"));
    expect((await faults("service-a")).error_rate).toBe(0);

    await $`${TMUX} resize-window -t tui -x 80 -y 24`.quiet();
    await waitForScreen("the 80×24 layout", (s) => s.split("\n")[23]?.includes("q quit") === true);
    await $`${TMUX} resize-window -t tui -x 60 -y 20`.quiet();
    await waitForScreen(
      "the too-small message",
      (s) => s.includes("Terminal too small: 60×20.") && s.includes("80×24"),
    );

    await keys("q");
    const after = await waitForScreen("the shell again", (s) => s.includes("tui exited with 0"));
    expect(after).not.toContain("RATE/s");
    expect(await $`${TMUX} display -p -t tui ${"#{alternate_on} #{cursor_flag}"}`.text()).toBe("0 1\n");
  } finally {
    for (const role of ["service-a", "service-d"]) {
      await fetch(`${env.roleUrl(role)}/admin/faults`, { method: "DELETE" }).catch(() => undefined);
    }
  }
}, 400_000);
