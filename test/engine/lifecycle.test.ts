/**
 * The lab's life on the real engine, after lab.test.ts: up --otlp-endpoint with a header (an external OTLP
 * backend, a sink container on the lab network), a failing up over the running lab, down and up again with the
 * data kept, down -v, up --build, dockerd restarting under the lab; the figures printed at the end; nothing left.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../../src/version.ts";
import { allHealthy, BINARY, docker, ENV, figure, lab, type Run, said, states, until } from "./engine.ts";

const MINUTE = 60_000;
const SINK = "o11y-lab-test-otlp-sink";
const SINK_PORT = 43_180;

async function up(...args: string[]): Promise<Run> {
  const run = await lab(["up", ...args], { timeoutMs: 10 * MINUTE });
  expect(run.code, said(run)).toBe(0);
  expect(run.output).toContain("all 12 containers healthy");
  return run;
}

/** Rows service-a wrote to Postgres: data that must survive `down` and not `down -v`. */
async function requestLogs(): Promise<number> {
  const run = await docker(
    "exec",
    "postgres",
    "psql",
    "-U",
    "postgres",
    "-d",
    "o11ylab",
    "-tAc",
    "SELECT count(*) FROM request_logs",
  );
  return Number(run.stdout.trim());
}

async function traffic(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await fetch("http://127.0.0.1:8080/api/process").catch(() => undefined);
}

beforeAll(async () => {
  if (!(await allHealthy())) await up();
}, 11 * MINUTE);
afterAll(async () => {
  await docker("rm", "-f", SINK);
});

test(
  "up --otlp-endpoint with a header: the endpoint gets traces, metrics and logs with it; the collector stays healthy",
  async () => {
    const sink = await docker(
      "run",
      "-d",
      "--name",
      SINK,
      "--label",
      "o11y-lab.test=otlp-sink",
      "--network",
      "o11y-lab",
      "-e",
      "STANDIN_ROLE=sink",
      "-p",
      `127.0.0.1:${SINK_PORT}:3200`,
      "grafana/tempo:2.9.0",
    );
    expect(sink.code, said(sink)).toBe(0);
    // `$` in a header value is the collector's expansion character: it must arrive as typed.
    await up("--otlp-endpoint", `http://${SINK}:4318`, "--otlp-header", "X-Lab-Token=s3cr$t");
    await traffic(20);
    const kinds = await until(
      "traces, metrics and logs at the endpoint, each with the header",
      async () => {
        const body = (await (await fetch(`http://127.0.0.1:${SINK_PORT}/standin/records`)).json()) as {
          records: { kind: string; body: { headers: Record<string, string> } }[];
        };
        const withHeader = body.records.filter(
          (r) => r.body.headers["X-Lab-Token"] === "s3cr$t" || r.body.headers["x-lab-token"] === "s3cr$t",
        );
        const found = new Set(withHeader.map((r) => r.kind));
        return found.size === 3 ? [...found].sort() : undefined;
      },
      2 * MINUTE,
    );
    expect(kinds).toEqual(["logs", "metrics", "traces"]);
    expect((await states()).get("otel-collector")).toMatch(/^running .*\(healthy\)/);
    await up(); // and back to the lab's own backends only
  },
  12 * MINUTE,
);

test("a binary installed mode 0700 (uid 10001 in the containers cannot run it): one line saying so, the lab untouched", async () => {
  const dir = mkdtempSync(join(tmpdir(), "o11y-lab-0700-"));
  const copy = join(dir, "o11y-lab");
  copyFileSync(BINARY, copy);
  chmodSync(copy, 0o700);
  try {
    const run = Bun.spawnSync([copy, "up"], { env: ENV });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.toString()).toContain(`${copy} has mode 0700: the service containers run it as uid 10001`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(await allHealthy()).toBe(true);
});

test(
  "a failing up over the running lab (its build cannot get its base image) leaves the lab running",
  async () => {
    await docker("tag", "debian:12.12-slim", "o11y-lab-test/keep:slim");
    await docker("rmi", "debian:12.12-slim");
    try {
      const run = await lab(["up", "--build"], { timeoutMs: 5 * MINUTE });
      expect(run.code).toBe(1);
      expect(run.output).toContain("docker build failed");
    } finally {
      await docker("tag", "o11y-lab-test/keep:slim", "debian:12.12-slim");
      await docker("rmi", "o11y-lab-test/keep:slim");
    }
    expect(await allHealthy()).toBe(true);
  },
  16 * MINUTE,
);

test(
  "down, then up again: the data is kept",
  async () => {
    await traffic(5);
    const rows = await requestLogs();
    expect(rows).toBeGreaterThan(0);
    const down = await lab(["down"]);
    expect(down.code, said(down)).toBe(0);
    expect((await states()).size).toBe(0);
    figure("down (s)", down.seconds.toFixed(1));
    const again = await up();
    figure("up to healthy, second start (s)", again.seconds.toFixed(1));
    expect(await requestLogs()).toBeGreaterThanOrEqual(rows);
  },
  12 * MINUTE,
);

test(
  "down -v removes the data; up --build runs the services from the image it built",
  async () => {
    const down = await lab(["down", "-v"]);
    expect(down.code, said(down)).toBe(0);
    const volumes = await docker("volume", "ls", "-q", "--filter", "label=com.docker.compose.project=o11y-lab");
    expect(volumes.stdout.trim()).toBe("");
    const built = await up("--build");
    figure("up --build to healthy, after down -v (s)", built.seconds.toFixed(1));
    const image = await docker("inspect", "--format", "{{.Config.Image}}", "service-a");
    expect(image.stdout.trim()).toBe(`o11y-lab/o11y-lab:${VERSION}-local`);
    expect(await requestLogs()).toBeLessThan(50);
    await up(); // back to the mounted binary
  },
  15 * MINUTE,
);

test(
  "dockerd restarting under the lab: the lab is healthy again by itself",
  async () => {
    await up(); // whatever the tests before left, the whole lab runs when the daemon goes
    const restart = Bun.spawnSync(["bash", "test/setup/engine.sh", "restart-daemon"], {
      cwd: `${import.meta.dir}/../..`,
    });
    expect(restart.exitCode, restart.stderr.toString()).toBe(0);
    const started = performance.now();
    await until("12/12 healthy after the daemon restart", allHealthy, 5 * MINUTE);
    figure("healthy again after dockerd restart (s)", ((performance.now() - started) / 1000).toFixed(1));
    expect((await fetch("http://127.0.0.1:8080/api/process")).status).toBe(200);
  },
  6 * MINUTE,
);

test(
  "RAM per container and for the whole stack, from docker stats",
  async () => {
    await traffic(50);
    const stats = await docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}");
    expect(stats.code, said(stats)).toBe(0);
    const units: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
    let total = 0;
    for (const line of stats.stdout.trim().split("\n")) {
      const m = /^(\S+) ([\d.]+)(B|KiB|MiB|GiB) \//.exec(line);
      if (!m) continue;
      const bytes = Number(m[2]) * (units[m[3] ?? "B"] ?? 1);
      total += bytes;
      figure(`RAM ${m[1]} (MiB)`, (bytes / 1024 ** 2).toFixed(0));
    }
    figure("RAM whole stack (MiB)", (total / 1024 ** 2).toFixed(0));
    expect(total).toBeGreaterThan(0);
  },
  2 * MINUTE,
);

test("down -v at the end leaves nothing: no container, volume or network of the lab", async () => {
  const down = await lab(["down", "-v"]);
  expect(down.code, said(down)).toBe(0);
  expect((await states()).size).toBe(0);
  expect(
    (await docker("volume", "ls", "-q", "--filter", "label=com.docker.compose.project=o11y-lab")).stdout.trim(),
  ).toBe("");
  expect((await docker("network", "ls", "-q", "--filter", "name=^o11y-lab$")).stdout.trim()).toBe("");
});
