import { afterEach, expect, test } from "bun:test";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeDocker, type FakeRule, fakeDocker } from "../chaos/_fake-docker.ts";
import { stackFile } from "../stack/assets.ts";
import { constantLoad, K6_IMAGE, type K6Deps, runK6 } from "./run.ts";
import { K6_FILES } from "./scripts.ts";

const NOW = new Date("2026-11-25T22:30:05.123Z");
const REPORT = "load-2026-11-25T22-30-05Z.json";
let fake: FakeDocker | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fake?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
  fake = undefined;
  dir = undefined;
});

async function harness(rules: FakeRule[] | ((dir: string) => FakeRule[]), overrides: Partial<K6Deps> = {}) {
  dir = await mkdtemp(join(tmpdir(), "o11y-k6-run-"));
  fake = await fakeDocker(typeof rules === "function" ? rules(dir) : rules);
  const lines: string[] = [];
  const annotations: string[] = [];
  const deps: K6Deps = {
    docker: fake.docker,
    dir,
    log: {
      start: (m) => lines.push(`start ${m}`),
      info: (m) => lines.push(`info ${m}`),
      warn: (m) => lines.push(`warn ${m}`),
    },
    annotate: async (text, tags) => annotations.push(`${text} [${tags.join(",")}]`),
    now: () => NOW,
    tty: false,
    user: "1000:1000",
    env: process.env,
    ...overrides,
  };
  return { deps, lines, annotations, dir, fake };
}

/**
 * The network as Docker knows it once compose has created the stack: the name compose.yaml gives it, read here
 * from the file itself. Docker answers "not found" for any other name, as the engine does.
 */
const STACK_NETWORK = (Bun.YAML.parse(stackFile("compose.yaml")) as { networks: { default: { name: string } } })
  .networks.default.name;
const network: FakeRule = {
  match: `network inspect --format {{.Name}} ${STACK_NETWORK}`,
  stdout: `${STACK_NETWORK}\n`,
};
const noOtherNetwork: FakeRule = { match: "network inspect *", code: 1, stderr: "Error: No such network\n" };
/** k6 in the container: exits with `code` after its handleSummary wrote the report into the mounted reports/. */
const k6Container =
  (code: number) =>
  (dir: string): FakeRule[] => [
    network,
    noOtherNetwork,
    { match: "run --rm *", code, shell: `touch '${dir}/reports/${REPORT}'` },
  ];

test("k6 load: exact docker run on the lab network, report in the state dir, exit code 0", async () => {
  const h = await harness(k6Container(0));
  expect(await runK6("load", { local: false }, h.deps)).toBe(0);
  expect(await h.fake.calls()).toEqual([
    ["network", "inspect", "--format", "{{.Name}}", STACK_NETWORK],
    [
      "run",
      "--rm",
      "--name",
      "o11y-lab-k6-load",
      "--label",
      "o11y-lab.k6=load",
      "--network",
      STACK_NETWORK,
      "--user",
      "1000:1000",
      "-v",
      `${h.dir}/scripts:/scripts:ro`,
      "-v",
      `${h.dir}/reports:/reports`,
      "-e",
      "K6_OTEL_EXPORTER_PROTOCOL=http/protobuf",
      "-e",
      "K6_OTEL_HTTP_EXPORTER_ENDPOINT=otel-collector:4318",
      "-e",
      "K6_OTEL_HTTP_EXPORTER_INSECURE=true",
      "-e",
      "K6_OTEL_SERVICE_NAME=k6",
      "-e",
      "K6_OTEL_METRIC_PREFIX=k6_",
      K6_IMAGE,
      "run",
      "--out",
      "opentelemetry",
      "-e",
      "BASE_URL=http://api-gateway:8080",
      "-e",
      "SERVICE_A_URL=http://service-a:8001",
      "-e",
      `REPORT_FILE=/reports/${REPORT}`,
      "/scripts/load.js",
    ],
  ]);
  expect(h.lines).toEqual(["start k6 load: 3m10s, up to 50 VUs", `info report: ${h.dir}/reports/${REPORT}`]);
  expect(h.annotations).toEqual(["k6 load started [k6,load]", "k6 load finished (exit code 0) [k6,load]"]);
  for (const [path, text] of Object.entries(K6_FILES)) {
    expect(await readFile(join(h.dir, "scripts", path), "utf8")).toBe(text);
  }
});

test("crossed thresholds: k6's exit code 99 comes back, with the report", async () => {
  const h = await harness(k6Container(99), { tty: true, user: undefined });
  expect(await runK6("load", { local: false }, h.deps)).toBe(99);
  const run = (await h.fake.calls())[1] ?? [];
  expect(run.slice(0, 3)).toEqual(["run", "--rm", "-t"]);
  expect(run).not.toContain("--user");
  expect(h.lines.slice(1)).toEqual([
    `info report: ${h.dir}/reports/${REPORT}`,
    "warn k6 load: thresholds crossed (exit code 99)",
  ]);
});

test("no lab network: one line that says to start the lab, and no k6", async () => {
  const h = await harness([
    { match: "network inspect *", code: 1, stderr: `Error: network ${STACK_NETWORK} not found\n` },
  ]);
  await expect(runK6("smoke", { local: false }, h.deps)).rejects.toThrow("the lab is not running");
  expect((await h.fake.calls()).length).toBe(1);
});

test("--local runs the k6 on PATH against 127.0.0.1, exporting to the published collector port", async () => {
  const bin = await mkdtemp(join(tmpdir(), "o11y-fake-k6-"));
  try {
    const log = join(bin, "k6.log");
    await writeFile(
      join(bin, "k6"),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\necho "$K6_OTEL_HTTP_EXPORTER_ENDPOINT $K6_OTEL_EXPORTER_PROTOCOL" >> '${log}'\nexit 0\n`,
    );
    await chmod(join(bin, "k6"), 0o755);
    const h = await harness([], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(await runK6("spike", { local: true }, h.deps)).toBe(0);
    expect(await h.fake.calls()).toEqual([]);
    expect((await readFile(log, "utf8")).trim().split("\n")).toEqual([
      "run",
      "--out",
      "opentelemetry",
      "-e",
      "BASE_URL=http://127.0.0.1:8080",
      "-e",
      "SERVICE_A_URL=http://127.0.0.1:8001",
      "-e",
      `REPORT_FILE=${h.dir}/reports/spike-2026-11-25T22-30-05Z.json`,
      `${h.dir}/scripts/spike.js`,
      "127.0.0.1:4318 http/protobuf",
    ]);
    expect(h.lines).toEqual([
      "start k6 spike: 3m20s, up to 150 VUs (local k6)",
      "warn k6 wrote no report (it stopped before its summary)",
    ]);
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});

test("--local without k6 installed says how to get it", async () => {
  const h = await harness([], { env: { PATH: "/nonexistent" } });
  await expect(runK6("smoke", { local: true }, h.deps)).rejects.toThrow("k6 is not installed");
});

test("--vus and --duration: a constant load, the missing one from the script (its peak VUs, its length)", () => {
  expect(constantLoad("load", {})).toBeUndefined();
  expect(constantLoad("load", { vus: "20", duration: "10m" })).toEqual({ vus: 20, duration: "10m" });
  expect(constantLoad("load", { duration: "1h30m" })).toEqual({ vus: 50, duration: "1h30m" });
  expect(constantLoad("stress", { vus: "3" })).toEqual({ vus: 3, duration: "5m40s" });
});

test("bad --vus or --duration is one line naming the flag", () => {
  for (const vus of ["0", "-1", "2.5", "ten", "1001", ""]) {
    expect(() => constantLoad("load", { vus })).toThrow(`--vus must be a whole number from 1 to 1000, not "${vus}"`);
  }
  for (const duration of ["0s", "10", "ten minutes", "25h", "5 m", ""]) {
    expect(() => constantLoad("load", { duration })).toThrow(`--duration must be a k6 duration from 1s to 24h`);
  }
});

test("a constant load reaches the script as -e VUS and -e DURATION, and the start line says so", async () => {
  const h = await harness(k6Container(0));
  expect(await runK6("load", { local: false, load: { vus: 20, duration: "10m" } }, h.deps)).toBe(0);
  const run = (await h.fake.calls())[1] ?? [];
  const env = run.slice(run.indexOf(K6_IMAGE)).join(" ");
  expect(env).toContain("-e SERVICE_A_URL=http://service-a:8001 -e VUS=20 -e DURATION=10m -e REPORT_FILE=");
  expect(h.lines[0]).toBe("start k6 load: 10m at a constant 20 VUs");
});
