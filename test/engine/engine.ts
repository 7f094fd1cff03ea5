/**
 * The real-engine tier's harness: the compiled o11y-lab run as a person runs it, against the Docker engine that
 * test/setup/engine.sh started (its environment from `engine.sh env`), in a state directory of its own. The
 * stand-ins' records are read back from their published ports (GET /standin/records).
 */
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../..");
export const BINARY = join(REPO, "dist/o11y-lab");
/** Where the figures go: test/engine/run.sh prints this file at the end. */
const FIGURES = process.env.O11Y_LAB_ENGINE_FIGURES ?? join(tmpdir(), "o11y-lab-engine-figures.txt");

/** The engine's environment: DOCKER_CONFIG (the Compose plugin), DOCKER_HOST, PATH with the engine's CLI first. */
function engineEnv(): Record<string, string> {
  const script = `eval "$(bash '${join(REPO, "test/setup/engine.sh")}' env)" && env -0`;
  const out = Bun.spawnSync(["bash", "-c", script]).stdout.toString();
  return Object.fromEntries(
    out
      .split("\0")
      .filter((kv) => /^(DOCKER_CONFIG|DOCKER_HOST|PATH)=/.test(kv))
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
}

export const ENV: Record<string, string> = {
  ...(process.env as Record<string, string>),
  ...engineEnv(),
  O11Y_LAB_STATE_DIR: process.env.O11Y_LAB_ENGINE_STATE ?? mkdtempSync(join(tmpdir(), "o11y-lab-engine-state-")),
  NO_COLOR: "1",
  CI: "true",
};
export const STATE_DIR = ENV.O11Y_LAB_STATE_DIR ?? "";

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, as the terminal shows them */
  readonly output: string;
  readonly seconds: number;
}

/** Runs `o11y-lab …` to the end (bounded), output collected. */
export async function lab(args: string[], options: { timeoutMs?: number } = {}): Promise<Run> {
  return spawn([BINARY, ...args], options.timeoutMs ?? 300_000);
}

/** Runs `docker …` (the engine's CLI) to the end. */
export async function docker(...args: string[]): Promise<Run> {
  return spawn(["docker", ...args], 120_000);
}

async function spawn(argv: string[], timeoutMs: number): Promise<Run> {
  const started = performance.now();
  const child = Bun.spawn(argv, { env: ENV, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr, output: `${stdout}\n${stderr}`, seconds: (performance.now() - started) / 1000 };
}

/** A failure message that carries what the command said. */
export function said(run: Run): string {
  return `exit ${run.code} after ${run.seconds.toFixed(1)} s:\n${run.output.slice(-4000)}`;
}

/** Polls until `check` returns a value that is not undefined/false, or throws with `what`; a throwing check is retried. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await Bun.sleep(1000);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
}

export interface StandinRecord {
  kind: string;
  at: number;
  body: { headers: Record<string, string>; payload: unknown };
}

/** What a stand-in has recorded so far: Tempo on 3200, Loki on 3100, Grafana on 3000. */
export async function records(port: 3000 | 3100 | 3200): Promise<{ argv: string[]; records: StandinRecord[] }> {
  const response = await fetch(`http://127.0.0.1:${port}/standin/records`, { signal: AbortSignal.timeout(5000) });
  return (await response.json()) as { argv: string[]; records: StandinRecord[] };
}

/** Every container state of the lab, by name. */
export async function states(): Promise<Map<string, string>> {
  const ps = await docker(
    "ps",
    "-a",
    "--filter",
    "label=com.docker.compose.project=o11y-lab",
    "--format",
    "{{.Names}} {{.State}} {{.Status}}",
  );
  return new Map(
    ps.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [name = "", ...rest] = line.split(" ");
        return [name, rest.join(" ")];
      }),
  );
}

/** Whether all 12 containers are running and (where they have a healthcheck) healthy. */
export async function allHealthy(): Promise<boolean> {
  const s = await states();
  return s.size === 12 && [...s.values()].every((v) => v.startsWith("running") && v.includes("(healthy)"));
}

/** GET on the gateway: the lab's front door, as a person's browser or curl reaches it. */
export async function gateway(path = "/api/process"): Promise<Response> {
  return fetch(`http://127.0.0.1:8080${path}`, { signal: AbortSignal.timeout(15_000) });
}

/** Prometheus' instant query API on the containerized Prometheus. */
export async function promQuery(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const url = `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(expr)}`;
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json()) as {
    status: string;
    data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
    error?: string;
  };
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

/** One figure for the end of the run (not a timed test: printed, never asserted). */
export function figure(name: string, value: string): void {
  appendFileSync(FIGURES, `${name.padEnd(40)} ${value}\n`);
}
