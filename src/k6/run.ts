import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { access, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { LabError } from "../errors.ts";
import { roleByName } from "../roles.ts";
import { labNetwork } from "../stack/compose.ts";
import type { Docker } from "../stack/docker.ts";
import { formatDuration, type K6TestName, parseDuration, shapeOf } from "./catalog.ts";
import { writeK6Files } from "./scripts.ts";

/** Pinned k6; its OpenTelemetry output sends k6's own metrics to the lab's collector. */
export const K6_IMAGE = "grafana/k6:2.3.0";
/** Label on the k6 container: what the TUI and `docker ps` see running. */
export const K6_LABEL = "o11y-lab.k6";
/** The stack's network, where the services answer by name. */
export const LAB_NETWORK = labNetwork();

/** k6's OpenTelemetry output over OTLP/HTTP, as k6 reads it from its environment. */
function otelEnv(collector: string): Record<string, string> {
  return {
    K6_OTEL_EXPORTER_PROTOCOL: "http/protobuf",
    K6_OTEL_HTTP_EXPORTER_ENDPOINT: collector,
    K6_OTEL_HTTP_EXPORTER_INSECURE: "true",
    K6_OTEL_SERVICE_NAME: "k6",
    K6_OTEL_METRIC_PREFIX: "k6_",
  };
}

/** A constant load instead of the script's own shape: `--vus` and `--duration`, the missing one from the script. */
export interface K6Load {
  readonly vus: number;
  readonly duration: string;
}

/** Most VUs one laptop running the whole lab is asked to carry; the stress test peaks at 200. */
const MAX_VUS = 1000;
const MAX_SECONDS = 24 * 3600;

/**
 * `--vus` and `--duration` as typed, checked and completed: none → the script's shape; either → that constant
 * load, with the script's peak VUs or its length for the one not given.
 */
export function constantLoad(name: K6TestName, flags: { vus?: string; duration?: string }): K6Load | undefined {
  if (flags.vus === undefined && flags.duration === undefined) return undefined;
  const shape = shapeOf(name);
  const vus = flags.vus === undefined ? shape.peakVus : Number(flags.vus);
  if (!/^\d+$/.test(flags.vus ?? "1") || vus < 1 || vus > MAX_VUS) {
    throw new LabError(`--vus must be a whole number from 1 to ${MAX_VUS}, not "${flags.vus}"`);
  }
  const duration = flags.duration ?? formatDuration(shape.seconds);
  const seconds = (() => {
    try {
      return parseDuration(duration);
    } catch {
      return Number.NaN;
    }
  })();
  if (!(seconds >= 1 && seconds <= MAX_SECONDS)) {
    throw new LabError(`--duration must be a k6 duration from 1s to 24h such as 90s, 10m or 1h30m, not "${duration}"`);
  }
  return { vus, duration };
}

/** One run: which test, where its files and report go, and how the terminal looks. */
export interface K6Run {
  readonly name: K6TestName;
  /** A constant load replacing the script's shape, or undefined for the shape itself. */
  readonly load?: K6Load;
  /** The state dir's k6/ folder: scripts/ is written there, reports/ collects the JSON summaries. */
  readonly dir: string;
  /** File name of this run's report inside reports/. */
  readonly report: string;
  /** Allocate a TTY for k6's live progress bar (only when ours is one). */
  readonly tty: boolean;
  /** Run as this user so the report belongs to whoever ran the command (undefined on Windows). */
  readonly user?: string;
}

/** `k6 run` arguments shared by both ways of running: the OTel output, the targets, the load, the report path. */
function k6RunArgs(run: K6Run, baseUrl: string, serviceAUrl: string, reportFile: string, script: string): string[] {
  // k6/lib/scenarios.js reads VUS and DURATION (always both) to replace the script's stages.
  const load = run.load ? ["-e", `VUS=${run.load.vus}`, "-e", `DURATION=${run.load.duration}`] : [];
  return [
    "run",
    "--out",
    "opentelemetry",
    "-e",
    `BASE_URL=${baseUrl}`,
    "-e",
    `SERVICE_A_URL=${serviceAUrl}`,
    ...load,
    "-e",
    `REPORT_FILE=${reportFile}`,
    script,
  ];
}

/** `docker run` of the pinned k6 image on the lab's network, with the scripts mounted read-only. */
export function k6DockerArgs(run: K6Run): string[] {
  const gateway = roleByName("api-gateway");
  const serviceA = roleByName("service-a");
  return [
    "run",
    "--rm",
    ...(run.tty ? ["-t"] : []),
    "--name",
    `o11y-lab-k6-${run.name}`,
    "--label",
    `${K6_LABEL}=${run.name}`,
    "--network",
    LAB_NETWORK,
    ...(run.user ? ["--user", run.user] : []),
    "-v",
    `${join(run.dir, "scripts")}:/scripts:ro`,
    "-v",
    `${join(run.dir, "reports")}:/reports`,
    ...Object.entries(otelEnv("otel-collector:4318")).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    K6_IMAGE,
    ...k6RunArgs(
      run,
      `http://${gateway.name}:${gateway.port}`,
      `http://${serviceA.name}:${serviceA.port}`,
      `/reports/${run.report}`,
      `/scripts/${run.name}.js`,
    ),
  ];
}

/** A local `k6` against the ports the stack publishes on 127.0.0.1: argv and the environment it adds. */
export function k6LocalCommand(run: K6Run): { argv: string[]; env: Record<string, string> } {
  const url = (role: "api-gateway" | "service-a") => `http://127.0.0.1:${roleByName(role).port}`;
  return {
    argv: [
      "k6",
      ...k6RunArgs(
        run,
        url("api-gateway"),
        url("service-a"),
        join(run.dir, "reports", run.report),
        join(run.dir, "scripts", `${run.name}.js`),
      ),
    ],
    env: otelEnv("127.0.0.1:4318"),
  };
}

/** `load-2026-11-25T22-30-05Z.json`: one report per run, sortable, no characters Windows refuses. */
export function reportName(name: K6TestName, now: Date): string {
  return `${name}-${now
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-")}.json`;
}

/** Writes the embedded scripts and makes the reports folder; returns the paths. */
export async function prepare(dir: string): Promise<void> {
  await writeK6Files(join(dir, "scripts"));
  await mkdir(join(dir, "reports"), { recursive: true });
}

/**
 * Runs k6 with the terminal attached and returns its exit code. Ctrl-C reaches k6 straight from the terminal
 * (k6 then stops gracefully and still writes its summary), so we only wait; a SIGTERM (the TUI quitting) is passed
 * on, since it reaches us alone.
 */
async function attached(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = Bun.spawn(argv, { env, stdio: ["inherit", "inherit", "inherit"] });
  const ignore = () => {};
  const forward = () => child.kill("SIGTERM");
  process.on("SIGINT", ignore);
  process.on("SIGTERM", forward);
  try {
    return await child.exited;
  } finally {
    process.off("SIGINT", ignore);
    process.off("SIGTERM", forward);
  }
}

/** Runs k6 in Docker (`docker run` proxies signals to k6); returns k6's exit code (99: thresholds crossed). */
export async function runInDocker(docker: Docker, run: K6Run): Promise<number> {
  if (!docker.path) {
    throw new LabError(
      "Docker is not installed (no docker on PATH)",
      "install Docker, or use --local with k6 installed",
    );
  }
  return attached([docker.path, ...k6DockerArgs(run)], process.env);
}

/** Runs the local k6 on PATH; returns its exit code. */
export async function runLocally(run: K6Run, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { argv, env: added } = k6LocalCommand(run);
  const executable = Bun.which("k6", { PATH: env.PATH ?? "" });
  if (!executable) {
    throw new LabError(
      "k6 is not installed",
      "install it (https://grafana.com/docs/k6/latest/set-up/install-k6/) or drop --local to run k6 in Docker",
    );
  }
  return attached([executable, ...argv.slice(1)], { ...env, ...added });
}

/** What a k6 run needs from the outside world, passed in. */
export interface K6Deps {
  readonly docker: Docker;
  /** The state dir's k6/ folder. */
  readonly dir: string;
  readonly log: { start(message: string): void; info(message: string): void; warn(message: string): void };
  readonly annotate: (text: string, tags: readonly string[]) => Promise<unknown>;
  readonly now: () => Date;
  readonly tty: boolean;
  readonly user?: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * `o11y-lab k6 <name>`: writes the scripts, runs k6 (in Docker on the lab's network, or locally), marks start and
 * end in Grafana, says where the JSON report is, and returns k6's exit code.
 */
export async function runK6(
  name: K6TestName,
  options: { local: boolean; load?: K6Load },
  deps: K6Deps,
): Promise<number> {
  await prepare(deps.dir);
  const run: K6Run = {
    name,
    load: options.load,
    dir: deps.dir,
    report: reportName(name, deps.now()),
    tty: deps.tty,
    user: deps.user,
  };
  if (!options.local) await requireLabNetwork(deps.docker);
  deps.log.start(`k6 ${name}: ${shapeText(name, options.load)}${options.local ? " (local k6)" : ""}`);
  await deps.annotate(`k6 ${name} started`, ["k6", name]);
  const code = options.local ? await runLocally(run, deps.env) : await runInDocker(deps.docker, run);
  await deps.annotate(`k6 ${name} finished (exit code ${code})`, ["k6", name]);
  const report = join(deps.dir, "reports", run.report);
  const written = await access(report).then(
    () => true,
    () => false,
  );
  if (written) deps.log.info(`report: ${report}`);
  else deps.log.warn("k6 wrote no report (it stopped before its summary)");
  if (code === 99) deps.log.warn(`k6 ${name}: thresholds crossed (exit code 99)`);
  else if (code !== 0) deps.log.warn(`k6 ${name} exited with code ${code}`);
  return code;
}

/** "3m10s, up to 50 VUs", or "10m at a constant 20 VUs" when `--vus`/`--duration` replace the stages. */
export function shapeText(name: K6TestName, load?: K6Load): string {
  const plural = (n: number) => `${n} VU${n === 1 ? "" : "s"}`;
  if (load) return `${load.duration} at a constant ${plural(load.vus)}`;
  const shape = shapeOf(name);
  return `${formatDuration(shape.seconds)}, up to ${plural(shape.peakVus)}`;
}

/**
 * `--background`: `command` (this program's `k6 <test> …` without it) as a detached process whose output goes to a
 * log beside the reports, so the run ends as any other (annotations, report) while the terminal is free.
 */
export async function startInBackground(
  command: readonly string[],
  name: K6TestName,
  deps: Pick<K6Deps, "dir" | "now" | "env">,
): Promise<{ pid: number; log: string }> {
  await prepare(deps.dir);
  const log = join(deps.dir, "reports", reportName(name, deps.now()).replace(/\.json$/, ".log"));
  const out = openSync(log, "a");
  const [executable = "", ...args] = command;
  const child = spawn(executable, args, {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...deps.env, NO_COLOR: "1" },
  });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new LabError(`could not start ${executable} in the background`);
  return { pid: child.pid, log };
}

/** k6 in Docker reaches the services by name on the lab's network: no network, no lab. */
export async function requireLabNetwork(docker: Docker): Promise<void> {
  if (!docker.path) {
    throw new LabError(
      "Docker is not installed (no docker on PATH)",
      "install Docker, or use --local with k6 installed",
    );
  }
  const result = await docker.capture(["network", "inspect", "--format", "{{.Name}}", LAB_NETWORK]);
  if (result.code === 0) return;
  if (/Cannot connect to the Docker daemon|error during connect/i.test(result.stderr)) {
    throw new LabError("Docker is not running", "start Docker, then run o11y-lab up");
  }
  throw new LabError("the lab is not running", "start it with o11y-lab up, then run this again");
}
