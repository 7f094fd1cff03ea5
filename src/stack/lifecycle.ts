import { copyFile, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { LabError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { STACK_FILES } from "./assets.ts";
import { BUNDLE_FILE } from "./bundle.ts";
import { type Container, composeArgs, overlayImage, parsePs, stackServices } from "./compose.ts";
import type { Docker } from "./docker.ts";
import { OTLP_EXPORT_FILE, otlpExportConfig } from "./otlp-export.ts";
import { checkDocker, checkPorts, MIN_MEMORY_BYTES } from "./preflight.ts";
import { removeFile, type StateFile, writeChanged } from "./state.ts";

/** What a lifecycle step reports to the person at the terminal (consola in the CLI, a recorder in tests). */
export interface Reporter {
  info(message: string): void;
  start(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  log(message: string): void;
}

/** Everything `up`/`down`/`status`/`logs` need from the outside world, passed in (tests pass stand-ins). */
export interface LabDeps {
  readonly docker: Docker;
  /** The state directory's stack/ */
  readonly dir: string;
  readonly report: Reporter;
  /** Whether nothing listens on 127.0.0.1:port */
  readonly portFree: (port: number) => Promise<boolean>;
  readonly sleep: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch (Date.now; tests pass a clock they advance). */
  readonly now: () => number;
  /** The running compiled o11y-lab executable, undefined when running from source */
  readonly binary: string | undefined;
  /** The lab's JS bundle (bundle.ts), for hosts where the binary cannot run in the containers */
  readonly bundle: () => Promise<string>;
  readonly platform: NodeJS.Platform;
}

export interface UpOptions {
  /** Build the service image locally from stack/Dockerfile instead of mounting or pulling. */
  readonly build?: boolean;
  readonly otlpEndpoint?: string;
  readonly otlpHeaders?: Readonly<Record<string, string>>;
  /** How long to wait for every container to be healthy. */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/** How the five service containers get the lab's code. */
interface ServiceCode {
  readonly env: Record<string, string>;
  readonly overlays: string[];
  readonly describe: string;
  /** What to write to the stack directory for it (the bundle) */
  readonly files: StateFile[];
  /** The host binary the containers run, mounted or (--build) copied into the image */
  readonly binary?: string;
  /** With --build: the image to build on */
  readonly buildBase?: string;
}

/**
 * On Linux the running binary runs in the containers, mounted into a slim Debian image. Elsewhere (and from source)
 * it cannot: the lab's JS bundle, this very version's code, runs on the official Bun image. --build bakes either into
 * a local image. The containers check at start that they run the version that wrote the stack.
 */
async function serviceCode(deps: LabDeps, build: boolean): Promise<ServiceCode> {
  const version = { O11Y_LAB_STACK_VERSION: VERSION };
  const binary = deps.platform === "linux" ? deps.binary : undefined;
  const overlay = binary ? "compose.binary.yaml" : "compose.bundle.yaml";
  const base = overlayImage(overlay);
  // --build puts the code next to the Dockerfile as `o11y-lab`; the bundle is written there, the binary copied.
  const code: Pick<ServiceCode, "binary" | "files"> = binary
    ? { binary, files: [] }
    : { files: [{ path: build ? "o11y-lab" : BUNDLE_FILE, content: await deps.bundle(), executable: true }] };
  if (build) {
    const image = `o11y-lab/o11y-lab:${VERSION}-local`;
    return {
      ...code,
      env: { ...version, O11Y_LAB_IMAGE: image },
      overlays: ["compose.build.yaml"],
      describe: `${image}, built locally from ${binary ? "this binary" : "the lab's JS bundle"} on ${base}`,
      buildBase: base,
    };
  }
  return binary
    ? {
        ...code,
        env: { ...version, O11Y_LAB_BINARY: binary },
        overlays: [overlay],
        describe: `this binary (${binary}) mounted into ${base}`,
      }
    : {
        ...code,
        env: version,
        overlays: [overlay],
        describe: `the lab's JS bundle (${BUNDLE_FILE}, o11y-lab ${VERSION}) on ${base}`,
      };
}

/** The uid the service containers run as (compose.yaml's x-app user, stack/Dockerfile's USER). */
const SERVICE_UID = 10001;

/**
 * The services run the binary as uid 10001, which is neither its owner nor in its group: it needs the "other"
 * read and execute bits (read too: a Bun executable reads its own file to load the embedded code).
 */
async function checkBinaryRunnable(binary: string): Promise<void> {
  const mode = (await stat(binary)).mode & 0o777;
  if ((mode & 0o005) === 0o005) return;
  throw new LabError(
    `${binary} has mode ${mode.toString(8).padStart(4, "0")}: the service containers run it as uid ${SERVICE_UID}, which cannot read and execute it`,
    `chmod 755 ${binary}, then run o11y-lab up`,
  );
}

/** .env next to compose.yaml: compose reads it, so `docker compose` run by hand in that directory works the same. */
function dotEnv(image: ServiceCode, overlays: readonly string[]): string {
  const lines = [
    "# Written by o11y-lab up: which image and files the service containers use.",
    `COMPOSE_PROJECT_NAME=o11y-lab`,
    `COMPOSE_FILE=${["compose.yaml", ...overlays].join(delimiter)}`,
    ...Object.entries(image.env).map(([k, v]) => `${k}=${v}`),
  ];
  return `${lines.join("\n")}\n`;
}

function stackStateFiles(): StateFile[] {
  return [...STACK_FILES].map(([path, content]) => ({ path, content }));
}

/** Lists the project's containers (running or not). */
export async function listContainers(deps: LabDeps): Promise<Container[]> {
  const ps = await deps.docker.capture([...composeArgs(deps.dir), "ps", "--all", "--format", "json"]);
  if (ps.code !== 0) throw dockerFailed("docker compose ps", ps.code, ps.stderr);
  return parsePs(ps.stdout);
}

function dockerFailed(what: string, code: number, stderr = ""): LabError {
  const last = stderr.trim().split("\n").at(-1)?.trim();
  return new LabError(
    `${what} failed (exit ${code})${last ? `: ${last}` : ""}`,
    "see Docker's messages above; o11y-lab status shows what is running, o11y-lab down cleans up",
  );
}

/** The exit status of a Go program that panicked or hit a fatal runtime error, as Compose is. */
const GO_CRASH = 2;

/** `o11y-lab up`: preflight, write the stack files, start the project, wait until every container is healthy. */
export async function up(deps: LabDeps, options: UpOptions = {}): Promise<void> {
  const { docker, dir, report } = deps;
  const started = deps.now();
  await checkDocker(docker, { minMemory: MIN_MEMORY_BYTES });
  const image = await serviceCode(deps, options.build ?? false);
  if (image.binary) await checkBinaryRunnable(image.binary);
  const overlays = [...image.overlays];
  const extra: StateFile[] = [...image.files];
  if (options.otlpEndpoint) {
    overlays.push("compose.otlp-export.yaml");
    extra.push({
      path: OTLP_EXPORT_FILE,
      content: otlpExportConfig(options.otlpEndpoint, options.otlpHeaders ?? {}),
      secret: true,
    });
  } else {
    await removeFile(dir, OTLP_EXPORT_FILE);
  }
  if (options.build) extra.push({ path: ".dockerignore", content: "*\n!o11y-lab\n" });
  const written = await writeChanged(dir, [
    ...stackStateFiles(),
    { path: ".env", content: dotEnv(image, overlays) },
    ...extra,
  ]);
  report.info(written.length ? `stack files in ${dir} (updated: ${written.join(", ")})` : `stack files in ${dir}`);

  const running = new Set((await listContainers(deps)).filter((c) => c.state === "running").map((c) => c.service));
  const services = stackServices();
  await checkPorts(new Map([...services].filter(([name]) => !running.has(name))), deps.portFree);

  if (image.buildBase) {
    report.start(`building ${image.env.O11Y_LAB_IMAGE} from ${join(dir, "Dockerfile")}`);
    if (image.binary) await copyFile(image.binary, join(dir, "o11y-lab"));
    const code = await docker.attach([
      "build",
      "--file",
      join(dir, "Dockerfile"),
      "--build-arg",
      `BASE=${image.buildBase}`,
      "--tag",
      image.env.O11Y_LAB_IMAGE ?? "",
      dir,
    ]);
    if (code !== 0) throw dockerFailed("docker build", code);
  }

  report.start(
    `starting the lab (services run ${image.describe}${options.otlpEndpoint ? `; also exporting to ${options.otlpEndpoint}` : ""})`,
  );
  const upArgs = [...composeArgs(dir, overlays), "up", "--detach", "--remove-orphans"];
  let code = await docker.attach(upArgs);
  if (code === GO_CRASH) {
    // Compose up is idempotent: once more picks up where the crash left off.
    report.warn(
      "Docker Compose itself crashed (exit 2, a Go runtime error; before 2.30 it can when it recreates containers others depend on: docker/compose#12186); running docker compose up once more",
    );
    code = await docker.attach(upArgs);
  }
  if (code !== 0) throw await upFailed(deps, code, running);
  await waitHealthy(deps, [...services.keys()], options, started);
  printUrls(report);
}

/**
 * A failed `compose up` over a running lab may have stopped containers it meant to recreate (their dependents
 * too): name exactly those, so that nobody wonders where the lab went.
 */
async function upFailed(deps: LabDeps, code: number, runningBefore: ReadonlySet<string>): Promise<LabError> {
  const failed = dockerFailed("docker compose up", code);
  if (runningBefore.size === 0) return failed;
  const now = new Map((await listContainers(deps).catch(() => [])).map((c) => [c.service, c.state]));
  const stopped = [...runningBefore].filter((service) => now.get(service) !== "running");
  if (stopped.length === 0) return new LabError(`${failed.message}; the running lab was left as it was`, failed.hint);
  return new LabError(
    `${failed.message}; it stopped ${stopped.join(", ")}, which were running before`,
    "see Docker's messages above; o11y-lab up with the options the lab ran with starts them again, o11y-lab status shows every container",
  );
}

/** Polls `compose ps` until every service's container is healthy, saying what it still waits for. */
async function waitHealthy(
  deps: LabDeps,
  services: readonly string[],
  options: UpOptions,
  upStarted: number,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 2000;
  const started = deps.now();
  let said = "";
  let saidAt = 0;
  for (;;) {
    const containers = new Map((await listContainers(deps)).map((c) => [c.service, c]));
    const waiting = services.filter((s) => containers.get(s)?.health !== "healthy");
    if (waiting.length === 0) {
      // Counted from the command's start, pulls and builds included: what the person at the terminal waited.
      deps.report.success(
        `all ${services.length} containers healthy, ${Math.round((deps.now() - upStarted) / 1000)} s after o11y-lab up started`,
      );
      return;
    }
    const detail = waiting.map((s) => `${s} (${describe(containers.get(s))})`).join(", ");
    const elapsed = deps.now() - started;
    if (elapsed >= timeoutMs) {
      const first = waiting[0] ?? "";
      throw new LabError(
        `not healthy after ${Math.round(elapsed / 1000)} s: ${detail}`,
        `see o11y-lab logs ${first}; o11y-lab status shows every container`,
      );
    }
    // Say it when it changes, and every 10 s when it does not, so a slow start never looks like a hang.
    const line = `${services.length - waiting.length}/${services.length} healthy, waiting for ${detail}`;
    if (line !== said || elapsed - saidAt >= 10_000) {
      deps.report.log(`  [${Math.round(elapsed / 1000)}s] ${line}`);
      said = line;
      saidAt = elapsed;
    }
    await deps.sleep(pollMs);
  }
}

function describe(container: Container | undefined): string {
  if (!container) return "not created";
  if (container.state !== "running") return container.state || "unknown";
  return container.health || "running";
}

function printUrls(report: Reporter): void {
  report.log(
    [
      "",
      "  Grafana      http://127.0.0.1:3000   (open without login; admin / admin to sign in)",
      "  Gateway      http://127.0.0.1:8080/api/process",
      "  Prometheus   http://127.0.0.1:9090",
      "  Tempo        http://127.0.0.1:3200",
      "  Loki         http://127.0.0.1:3100",
      "  OTLP         127.0.0.1:4317 (gRPC), http://127.0.0.1:4318 (HTTP) for your own apps",
      "",
      "  Next: o11y-lab k6 smoke · o11y-lab tui · o11y-lab status · o11y-lab down",
    ].join("\n"),
  );
}

/** `o11y-lab down`: stop and remove the containers; with volumes, the data too. */
export async function down(deps: LabDeps, options: { volumes?: boolean } = {}): Promise<void> {
  await checkDocker(deps.docker, { command: "o11y-lab down" });
  await writeChanged(deps.dir, stackStateFiles());
  const code = await deps.docker.attach([
    ...composeArgs(deps.dir),
    "down",
    "--remove-orphans",
    ...(options.volumes ? ["--volumes"] : []),
  ]);
  if (code !== 0) throw dockerFailed("docker compose down", code);
  deps.report.success(
    options.volumes ? "the lab is down and its data removed" : "the lab is down (data kept; down -v removes it)",
  );
}

/** `o11y-lab status`: each service's state, health and ports, as a table. */
export async function status(deps: LabDeps): Promise<Container[]> {
  await checkDocker(deps.docker, { command: "o11y-lab status" });
  await writeChanged(deps.dir, stackStateFiles());
  const containers = await listContainers(deps);
  if (containers.length === 0) {
    deps.report.info("the lab is not running — start it with o11y-lab up");
    return containers;
  }
  const order = [...stackServices().keys()];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  const rows = [...containers]
    .sort((a, b) => rank(a.service) - rank(b.service))
    .map((c) => [c.service, c.state, c.health || "-", c.ports.join(", ") || "-"]);
  deps.report.log(table([["SERVICE", "STATE", "HEALTH", "PORTS"], ...rows]));
  return containers;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** `o11y-lab logs [service] [-f]`: compose's logs, streamed to the terminal. */
export async function logs(deps: LabDeps, options: { service?: string; follow?: boolean } = {}): Promise<void> {
  const services = [...stackServices().keys()];
  if (options.service && !services.includes(options.service)) {
    throw new LabError(`unknown service "${options.service}"`, `choose one of ${services.join(", ")}`);
  }
  await checkDocker(deps.docker, { command: "o11y-lab logs" });
  await writeChanged(deps.dir, stackStateFiles());
  const code = await deps.docker.attach([
    ...composeArgs(deps.dir),
    "logs",
    ...(options.follow ? ["--follow"] : []),
    ...(options.service ? [options.service] : []),
  ]);
  if (code !== 0) throw dockerFailed("docker compose logs", code);
}
