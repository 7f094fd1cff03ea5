import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeDocker, fakeDocker } from "../chaos/_fake-docker.ts";
import { PUMBA_IMAGE, SCENARIOS } from "../chaos/catalogue.ts";
import { K6_IMAGE } from "../k6/run.ts";

let fake: FakeDocker;
let state: string;

beforeAll(async () => {
  fake = await fakeDocker([
    { match: "network inspect *", stdout: "o11y-lab\n" },
    { match: "inspect --format {{.State.Status}} {{.State.ExitCode}} *", stdout: "running 0\n" },
    { match: "run --rm * grafana/k6:*", code: 99 },
  ]);
  state = await mkdtemp(join(tmpdir(), "o11y-state-"));
});
afterAll(async () => {
  await fake.remove();
  await rm(state, { recursive: true, force: true });
});

/** The real CLI, with the recording docker first on PATH and the state dir in a temp folder. */
async function cli(...args: string[]) {
  const child = Bun.spawn([process.execPath, "src/index.ts", ...args], {
    env: { ...process.env, PATH: `${fake.dir}:${process.env.PATH}`, O11Y_LAB_STATE_DIR: state, NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, stdout, stderr };
}

test("chaos list names every scenario with what to see in Grafana", async () => {
  const { code, stdout } = await cli("chaos", "list");
  expect(code).toBe(0);
  for (const s of SCENARIOS) expect(stdout).toContain(`  ${s.name}  (`);
  expect(stdout.match(/grafana: /g)?.length).toBe(SCENARIOS.length);
});

test("chaos pause-kafka starts its Pumba container through docker and exits 0", async () => {
  const { code } = await cli("chaos", "pause-kafka");
  expect(code).toBe(0);
  const calls = await fake.calls();
  // its run, then the check that it is still up
  expect(calls.at(-1)?.slice(0, 2)).toEqual(["inspect", "--format"]);
  expect(calls.at(-2)).toEqual([
    "run",
    "-d",
    "--name",
    "pumba-pause-kafka",
    "--label",
    "o11y-lab.chaos=pause-kafka",
    "-v",
    "/var/run/docker.sock:/var/run/docker.sock",
    PUMBA_IMAGE,
    "pause",
    "--duration",
    "30s",
    "kafka",
  ]);
});

test("an unknown scenario is one line on stderr and exit 1", async () => {
  const { code, stderr } = await cli("chaos", "meteor-strike");
  expect(code).toBe(1);
  expect(stderr.trim().split("\n")).toHaveLength(1);
});

test("k6 list shows each test's duration and peak VUs", async () => {
  const { code, stdout } = await cli("k6", "list");
  expect(code).toBe(0);
  expect(stdout).toMatch(/^smoke {3}1m {5}up to 1 VU /m);
  expect(stdout).toMatch(/^load {4}3m10s {2}up to 50 VUs /m);
  expect(stdout).toMatch(/^stress {2}5m40s {2}up to 200 VUs /m);
  expect(stdout).toMatch(/^spike {3}3m20s {2}up to 150 VUs /m);
});

test("k6 smoke exits with k6's own exit code and leaves the scripts in the state dir", async () => {
  const { code } = await cli("k6", "smoke");
  expect(code).toBe(99);
  const run = (await fake.calls()).at(-1) ?? [];
  expect(run).toContain(K6_IMAGE);
  expect(run.at(-1)).toBe("/scripts/smoke.js");
  expect((await readdir(join(state, "k6", "scripts"))).sort()).toEqual([
    "lib",
    "load.js",
    "smoke.js",
    "spike.js",
    "stress.js",
  ]);
});

test("k6 load --background returns at once; the run goes on with the flags, its output in a log", async () => {
  const { code } = await cli("k6", "load", "--background", "--vus", "3", "--duration", "2s");
  expect(code).toBe(0);
  const reports = join(state, "k6", "reports");
  const logs = (await readdir(reports)).filter((f) => /^load-.*\.log$/.test(f));
  expect(logs).toHaveLength(1);
  const log = join(reports, logs[0] ?? "");
  let text = "";
  for (let i = 0; i < 100 && !text.includes("thresholds crossed"); i++) {
    await Bun.sleep(100);
    text = await Bun.file(log).text();
  }
  expect(text).toContain("k6 load: thresholds crossed (exit code 99)");
  const k6Run = (await fake.calls()).find((call) => call.includes(K6_IMAGE) && call.includes("VUS=3")) ?? [];
  expect(k6Run).toContain("DURATION=2s");
});

test("k6 with a bad --vus is one line on stderr and exit 1, before anything runs", async () => {
  const { code, stderr } = await cli("k6", "spike", "--vus", "lots");
  expect(code).toBe(1);
  expect(stderr.trim()).toBe('o11y-lab: --vus must be a whole number from 1 to 1000, not "lots"');
});
