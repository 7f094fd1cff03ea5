import { access, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { LabError } from "../errors.ts";
import { roleByName } from "../roles.ts";
import { PROJECT } from "../stack/compose.ts";
import type { Docker } from "../stack/docker.ts";
import { formatDuration, type K6TestName, shapeOf } from "./catalog.ts";
import { writeK6Files } from "./scripts.ts";

/** Pinned k6; its OpenTelemetry output sends k6's own metrics to the lab's collector. */
export const K6_IMAGE = "grafana/k6:2.3.0";
/** Label on the k6 container: what the TUI and `docker ps` see running. */
export const K6_LABEL = "o11y-lab.k6";
/** The compose project's default network, where the services answer by name. */
export const LAB_NETWORK = `${PROJECT}_default`;

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

/** One run: which test, where its files and report go, and how the terminal looks. */
export interface K6Run {
  readonly name: K6TestName;
  /** The state dir's k6/ folder: scripts/ is written there, reports/ collects the JSON summaries. */
  readonly dir: string;
  /** File name of this run's report inside reports/. */
  readonly report: string;
  /** Allocate a TTY for k6's live progress bar (only when ours is one). */
  readonly tty: boolean;
  /** Run as this user so the report belongs to whoever ran the command (undefined on Windows). */
  readonly user?: string;
}

/** `k6 run` arguments shared by both ways of running: the OTel output, the targets, the report path. */
function k6RunArgs(baseUrl: string, serviceAUrl: string, reportFile: string, script: string): string[] {
  return [
    "run",
    "--out",
    "opentelemetry",
    "-e",
    `BASE_URL=${baseUrl}`,
    "-e",
    `SERVICE_A_URL=${serviceAUrl}`,
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
export async function runK6(name: K6TestName, options: { local: boolean }, deps: K6Deps): Promise<number> {
  await prepare(deps.dir);
  const run: K6Run = { name, dir: deps.dir, report: reportName(name, deps.now()), tty: deps.tty, user: deps.user };
  if (!options.local) await requireLabNetwork(deps.docker);
  const shape = shapeOf(name);
  deps.log.start(
    `k6 ${name}: ${formatDuration(shape.seconds)}, up to ${shape.peakVus} VU${shape.peakVus === 1 ? "" : "s"}` +
      `${options.local ? " (local k6)" : ""}`,
  );
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

/** k6 in Docker reaches the services by name on the lab's network: no network, no lab. */
async function requireLabNetwork(docker: Docker): Promise<void> {
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
