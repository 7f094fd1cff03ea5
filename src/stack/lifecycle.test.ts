/**
 * up / down / status / logs against a recording stand-in for the `docker` executable: a small shell script first on
 * PATH that logs its argv and answers from files the test writes. No Docker engine is needed.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";
import { LabError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { STACK_FILES } from "./assets.ts";
import { BUNDLE_FILE } from "./bundle.ts";
import { stackServices } from "./compose.ts";
import { docker } from "./docker.ts";
import { down, type LabDeps, logs, type Reporter, status, up } from "./lifecycle.ts";
import { OTLP_EXPORT_FILE } from "./otlp-export.ts";

const REPO = join(import.meta.dir, "../..");
/** What deps.bundle answers: the real bundle is built and run by test/release (the compiled binaries embed it). */
const BUNDLE = "#!/usr/bin/env bun\n// the lab's bundle, as a test stands it in\n";
const BUN_IMAGE = `oven/bun:${pkg.devDependencies.bun}-slim`;

const STAND_IN = `#!/bin/sh
# Recording stand-in for docker: logs its argv, answers from files in $FAKE_DIR.
printf '%s\\n' "$*" >> "$FAKE_DIR/argv.log"
case "$*" in
  "compose version --short")
    if [ -f "$FAKE_DIR/no-compose" ]; then echo "docker: 'compose' is not a docker command." >&2; exit 1; fi
    if [ -f "$FAKE_DIR/compose-version" ]; then cat "$FAKE_DIR/compose-version"; else echo "2.40.3"; fi
    exit 0 ;;
  "info --format {{json .MemTotal}}")
    if [ -f "$FAKE_DIR/daemon-down" ]; then
      echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1
    fi
    if [ -f "$FAKE_DIR/permission-denied" ]; then
      echo "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock" >&2; exit 1
    fi
    if [ -f "$FAKE_DIR/memory" ]; then cat "$FAKE_DIR/memory"; else echo 8241434624; fi
    exit 0 ;;
  *" ps --all --format json")
    n=$(cat "$FAKE_DIR/ps.count" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$FAKE_DIR/ps.count"
    if [ -f "$FAKE_DIR/ps.$n.json" ]; then cat "$FAKE_DIR/ps.$n.json"; elif [ -f "$FAKE_DIR/ps.json" ]; then cat "$FAKE_DIR/ps.json"; fi
    exit 0 ;;
  *" up --detach --remove-orphans")
    if [ -f "$FAKE_DIR/crash-up" ]; then
      rm "$FAKE_DIR/crash-up"; echo "fatal error: concurrent map writes" >&2; exit 2
    fi
    if [ -f "$FAKE_DIR/fail-up" ]; then
      echo "Error response from daemon: driver failed programming external connectivity" >&2; exit 1
    fi
    exit 0 ;;
esac
exit 0
`;

let fake: string;
let dir: string;
let output: string[];
let busyPorts: Set<number>;
/** The running o11y-lab binary that up mounts: a real file, mode 0755 as an install leaves it. */
let binary: string;
/** A clock that moves only when the code sleeps, or when a test says a docker call took time. */
let clock: number;

beforeEach(() => {
  fake = mkdtempSync(join(tmpdir(), "o11y-lab-docker-"));
  mkdirSync(join(fake, "bin"));
  writeFileSync(join(fake, "bin/docker"), STAND_IN);
  chmodSync(join(fake, "bin/docker"), 0o755);
  dir = join(fake, "state/stack");
  output = [];
  busyPorts = new Set();
  writePs("ps.json", "running", "healthy");
  writeFileSync(join(fake, "ps.1.json"), ""); // nothing runs before `up`
  binary = join(fake, "o11y-lab");
  writeFileSync(binary, "#!/bin/sh\n");
  chmodSync(binary, 0o755);
  clock = 1_000_000;
});
afterEach(() => rmSync(fake, { recursive: true, force: true }));

/** A `compose ps --format json` answer: every stack service in one state. */
function writePs(file: string, state: string, health: string, override: Record<string, string> = {}) {
  const lines = [...stackServices()].map(([service, ports]) =>
    JSON.stringify({
      Service: service,
      Name: service,
      State: state,
      Health: override[service] ?? health,
      Publishers: ports.map((p) => ({ URL: "127.0.0.1", TargetPort: p, PublishedPort: p, Protocol: "tcp" })),
    }),
  );
  writeFileSync(join(fake, file), `${lines.join("\n")}\n`);
}

function deps(overrides: Partial<LabDeps> = {}, path = `${join(fake, "bin")}:/usr/bin:/bin`): LabDeps {
  const line = (m: string) => output.push(m);
  const report: Reporter = { info: line, start: line, success: line, warn: line, log: line };
  return {
    docker: docker({ PATH: path, FAKE_DIR: fake }),
    dir,
    report,
    portFree: async (port) => !busyPorts.has(port),
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
    binary,
    bundle: async () => BUNDLE,
    platform: "linux",
    ...overrides,
  };
}

const argv = () =>
  existsSync(join(fake, "argv.log")) ? readFileSync(join(fake, "argv.log"), "utf8").trim().split("\n") : [];
const compose = () => `compose --project-name o11y-lab --project-directory ${dir} --file ${dir}/compose.yaml`;
const read = (path: string) => readFileSync(join(dir, path), "utf8");

async function failure(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(LabError);
    const e = error as LabError;
    return `${e.message} — ${e.hint}`;
  }
  throw new Error("expected a LabError");
}

describe("up", () => {
  test("on Linux: preflight, stack files, compose up with the binary mounted, waits until healthy, prints URLs", async () => {
    writePs("ps.2.json", "running", "starting", {});
    writePs("ps.3.json", "running", "healthy", { kafka: "starting", "service-c": "starting" });
    await up(deps());
    expect(argv()).toEqual([
      "compose version --short",
      "info --format {{json .MemTotal}}",
      `${compose()} ps --all --format json`,
      `${compose()} --file ${dir}/compose.binary.yaml up --detach --remove-orphans`,
      `${compose()} ps --all --format json`,
      `${compose()} ps --all --format json`,
      `${compose()} ps --all --format json`,
    ]);
    for (const [path, content] of STACK_FILES) expect(read(path)).toBe(content);
    expect(read(".env")).toBe(
      [
        "# Written by o11y-lab up: which image and files the service containers use.",
        "COMPOSE_PROJECT_NAME=o11y-lab",
        "COMPOSE_FILE=compose.yaml:compose.binary.yaml",
        `O11Y_LAB_STACK_VERSION=${VERSION}`,
        `O11Y_LAB_BINARY=${binary}`,
        "",
      ].join("\n"),
    );
    const text = output.join("\n");
    expect(text).toContain("0/12 healthy, waiting for");
    expect(text).toContain("10/12 healthy, waiting for service-c (starting), kafka (starting)");
    expect(text).toContain("all 12 containers healthy");
    expect(text).toContain("http://127.0.0.1:3000");
    expect(text).toContain("admin / admin");
    expect(text).toContain("http://127.0.0.1:8080/api/process");
  });

  test("the time to healthy is counted from the command's start, compose's own pulls and starts included", async () => {
    writePs("ps.2.json", "running", "starting");
    const real = deps();
    const slowCompose = {
      ...real.docker,
      attach: async (args: readonly string[]) => {
        clock += 25_000; // compose up -d returns after pulling, building and starting in dependency order
        return real.docker.attach(args);
      },
    };
    await up({ ...real, docker: slowCompose }, { pollMs: 2000 });
    expect(output.join("\n")).toContain("all 12 containers healthy, 27 s after o11y-lab up started");
  });

  test("a binary the containers' uid 10001 cannot read and run: one line naming the mode and the fix", async () => {
    chmodSync(binary, 0o700);
    expect(await failure(up(deps()))).toBe(
      `${binary} has mode 0700: the service containers run it as uid 10001, which cannot read and execute it — chmod 755 ${binary}, then run o11y-lab up`,
    );
    expect(argv().some((a) => a.includes(" up "))).toBe(false);
  });

  test("a second up rewrites no file", async () => {
    await up(deps());
    const mtime = statSync(join(dir, "compose.yaml")).mtimeMs;
    output = [];
    await up(deps());
    expect(output[0]).toBe(`stack files in ${dir}`);
    expect(statSync(join(dir, "compose.yaml")).mtimeMs).toBe(mtime);
  });

  test("on macOS: every service container needs only official pinned images, and runs this version's bundle", async () => {
    await up(deps({ platform: "darwin" }));
    const upArgs = argv().find((a) => a.endsWith(" up --detach --remove-orphans")) ?? "";
    const files = [...upArgs.matchAll(/--file (\S+)/g)].map((m) => m[1] ?? "");
    expect(files).toEqual([join(dir, "compose.yaml"), join(dir, "compose.bundle.yaml")]);
    // What compose runs: each service's image as the last file that names one says, as compose merges them.
    const images = new Map<string, string>();
    for (const file of files) {
      const parsed = Bun.YAML.parse(readFileSync(file, "utf8")) as { services: Record<string, { image?: string }> };
      for (const [name, service] of Object.entries(parsed.services)) if (service.image) images.set(name, service.image);
    }
    for (const role of ["api-gateway", "service-a", "service-b", "service-c", "service-d"]) {
      expect(`${role}: ${images.get(role)}`).toBe(`${role}: ${BUN_IMAGE}`);
    }
    expect(read(BUNDLE_FILE)).toBe(BUNDLE);
    expect(statSync(join(dir, BUNDLE_FILE)).mode & 0o777).toBe(0o755);
    expect(read(".env")).toContain(`O11Y_LAB_STACK_VERSION=${VERSION}\n`);
    expect(read(".env")).toContain("COMPOSE_FILE=compose.yaml:compose.bundle.yaml\n");
    expect(read(".env")).not.toContain("O11Y_LAB_BINARY");
    expect(read(".env")).not.toContain("O11Y_LAB_IMAGE");
    expect(output.join("\n")).toContain(`services run the lab's JS bundle (${BUNDLE_FILE}, o11y-lab ${VERSION})`);
  });

  test("from source on Linux too (no compiled binary to mount): the bundle on the Bun image", async () => {
    await up(deps({ binary: undefined }));
    expect(argv()).toContain(`${compose()} --file ${dir}/compose.bundle.yaml up --detach --remove-orphans`);
    expect(read(BUNDLE_FILE)).toBe(BUNDLE);
  });

  test("--build on Linux builds stack/Dockerfile from the running binary on the binary overlay's base", async () => {
    await up(deps(), { build: true });
    const image = `o11y-lab/o11y-lab:${VERSION}-local`;
    expect(argv().slice(3, 5)).toEqual([
      `build --file ${dir}/Dockerfile --build-arg BASE=debian:12.12-slim --tag ${image} ${dir}`,
      `${compose()} --file ${dir}/compose.build.yaml up --detach --remove-orphans`,
    ]);
    expect(read(".env")).toContain("COMPOSE_FILE=compose.yaml:compose.build.yaml\n");
    expect(read("o11y-lab")).toBe("#!/bin/sh\n");
    expect(read(".dockerignore")).toBe("*\n!o11y-lab\n");
    expect(read(".env")).toContain(`O11Y_LAB_IMAGE=${image}\n`);
  });

  test("--build elsewhere builds the same Dockerfile from the bundle on the Bun image", async () => {
    await up(deps({ platform: "win32" }), { build: true });
    const image = `o11y-lab/o11y-lab:${VERSION}-local`;
    expect(argv()[3]).toBe(`build --file ${dir}/Dockerfile --build-arg BASE=${BUN_IMAGE} --tag ${image} ${dir}`);
    expect(read("o11y-lab")).toBe(BUNDLE);
    expect(statSync(join(dir, "o11y-lab")).mode & 0o777).toBe(0o755);
    expect(read(".env")).toContain(`O11Y_LAB_IMAGE=${image}\n`);
  });

  test("--otlp-endpoint: a collector overlay in an owner-only directory and the compose overlay that mounts it", async () => {
    await up(deps(), { otlpEndpoint: "https://otlp.example.com", otlpHeaders: { Authorization: "Bearer s3cr$t" } });
    expect(argv()).toContain(
      `${compose()} --file ${dir}/compose.binary.yaml --file ${dir}/compose.otlp-export.yaml up --detach --remove-orphans`,
    );
    const overlay = Bun.YAML.parse(read(OTLP_EXPORT_FILE)) as {
      exporters: Record<string, { endpoint: string; headers: Record<string, string> }>;
      service: { pipelines: Record<string, { exporters: string[] }> };
    };
    expect(overlay.exporters["otlphttp/external"]).toEqual({
      endpoint: "https://otlp.example.com",
      headers: { Authorization: "Bearer s3cr$$t" },
    });
    expect(overlay.service.pipelines.traces?.exporters).toEqual([
      "otlphttp/tempo",
      "spanmetrics",
      "debug",
      "otlphttp/external",
    ]);
    expect(overlay.service.pipelines.metrics?.exporters).toEqual(["prometheus", "otlphttp/external"]);
    // The collector's uid 10001 reads it through its mount; on the host only the owner reaches its directory.
    expect(statSync(join(dir, OTLP_EXPORT_FILE)).mode & 0o004).toBe(0o004);
    expect(statSync(join(dir, "private")).mode & 0o777).toBe(0o700);
    expect(read(".env")).toContain("COMPOSE_FILE=compose.yaml:compose.binary.yaml:compose.otlp-export.yaml\n");

    await up(deps());
    expect(existsSync(join(dir, OTLP_EXPORT_FILE))).toBe(false);
  });

  test("a port something else holds stops up before compose runs, naming port and service", async () => {
    busyPorts.add(3000);
    expect(await failure(up(deps()))).toBe(
      "port 3000 is already in use (the lab's grafana publishes 127.0.0.1:3000) — stop what listens on port 3000 (lsof -i :3000 shows it), then run o11y-lab up",
    );
    expect(argv().some((a) => a.endsWith("up --detach --remove-orphans"))).toBe(false);
  });

  test("ports held by the lab's own running containers are fine (up again)", async () => {
    busyPorts.add(3000);
    writePs("ps.1.json", "running", "healthy");
    await up(deps());
    expect(output.join("\n")).toContain("all 12 containers healthy");
  });

  test("docker failing half-way: Docker's own message above, then one clear line, no waiting", async () => {
    writeFileSync(join(fake, "fail-up"), "");
    expect(await failure(up(deps()))).toBe(
      "docker compose up failed (exit 1) — see Docker's messages above; o11y-lab status shows what is running, o11y-lab down cleans up",
    );
    expect(argv().at(-1)).toEndWith("up --detach --remove-orphans");
  });

  test("a failing up over a running lab says exactly which of its containers it stopped", async () => {
    writePs("ps.1.json", "running", "healthy");
    const after = ["otel-collector", "prometheus", "grafana", "api-gateway"];
    writePs("ps.2.json", "running", "healthy");
    const lines = readFileSync(join(fake, "ps.2.json"), "utf8").trim().split("\n");
    const stopped = lines.map((line) => {
      const entry = JSON.parse(line) as { Service: string; State: string };
      return JSON.stringify(after.includes(entry.Service) ? { ...entry, State: "exited", Health: "" } : entry);
    });
    writeFileSync(join(fake, "ps.2.json"), `${stopped.join("\n")}\n`);
    writeFileSync(join(fake, "fail-up"), "");
    const message = await failure(up(deps()));
    expect(message).toStartWith(
      "docker compose up failed (exit 1); it stopped api-gateway, otel-collector, prometheus, grafana, which were running before — ",
    );
    expect(message).toContain("o11y-lab up with the options the lab ran with starts them again");
  });

  test("Compose crashing (a Go fatal error, exit 2) is said and run once more; the lab comes up", async () => {
    writeFileSync(join(fake, "crash-up"), "");
    await up(deps());
    expect(argv().filter((line) => line.endsWith("up --detach --remove-orphans"))).toHaveLength(2);
    expect(output.join("\n")).toContain("Docker Compose itself crashed (exit 2");
    expect(output.join("\n")).toContain("all 12 containers healthy");
  });

  test("Compose crashing, then failing on the second run: that failure is the error, and it runs no third time", async () => {
    writeFileSync(join(fake, "crash-up"), "");
    writeFileSync(join(fake, "fail-up"), "");
    expect(await failure(up(deps()))).toStartWith("docker compose up failed (exit 1)");
    expect(argv().filter((line) => line.endsWith("up --detach --remove-orphans"))).toHaveLength(2);
  });

  test("a failing up that stopped nothing says the running lab was left as it was", async () => {
    writePs("ps.1.json", "running", "healthy");
    writeFileSync(join(fake, "fail-up"), "");
    expect(await failure(up(deps()))).toStartWith(
      "docker compose up failed (exit 1); the running lab was left as it was",
    );
  });

  test("containers that never get healthy: a timeout naming them and the command to look", async () => {
    writePs("ps.json", "running", "healthy", { kafka: "unhealthy" });
    const message = await failure(up(deps(), { timeoutMs: 0 }));
    expect(message).toStartWith("not healthy after 0 s: kafka (unhealthy) — see o11y-lab logs kafka");
  });
});

describe("preflight: one actionable line each", () => {
  test("docker missing", async () => {
    const empty = join(fake, "empty");
    mkdirSync(empty);
    expect(await failure(up(deps({}, empty)))).toStartWith(
      "Docker is not installed (no docker on PATH) — install Docker",
    );
  });

  test("compose v2 missing", async () => {
    writeFileSync(join(fake, "no-compose"), "");
    expect(await failure(up(deps()))).toStartWith("Docker Compose v2 is missing");
  });

  test("compose 1.x is not v2; a source build of v2 (version dev) is", async () => {
    writeFileSync(join(fake, "compose-version"), "1.29.2\n");
    expect(await failure(up(deps()))).toStartWith("Docker Compose v2 is missing");
    writeFileSync(join(fake, "compose-version"), "dev\n");
    await up(deps());
  });

  test("daemon not running", async () => {
    writeFileSync(join(fake, "daemon-down"), "");
    expect(await failure(up(deps()))).toBe("Docker is not running — start Docker, then run o11y-lab up");
  });

  test("the hint names the command that was run", async () => {
    writeFileSync(join(fake, "daemon-down"), "");
    expect(await failure(down(deps()))).toBe("Docker is not running — start Docker, then run o11y-lab down");
  });

  test("no permission on the socket", async () => {
    writeFileSync(join(fake, "permission-denied"), "");
    expect(await failure(up(deps()))).toStartWith("Docker refused the connection: permission denied — add yourself");
  });

  test("too little memory for up (down/status still work)", async () => {
    writeFileSync(join(fake, "memory"), String(2 * 1024 ** 3));
    expect(await failure(up(deps()))).toBe(
      "Docker has 2.0 GiB of memory and the lab needs 3 GiB — give Docker more memory (Docker Desktop: Settings → Resources), then run o11y-lab up",
    );
    await down(deps());
  });
});

describe("down, status, logs", () => {
  test("down keeps data; down -v removes the volumes", async () => {
    await down(deps());
    await down(deps(), { volumes: true });
    expect(argv().filter((a) => a.startsWith("compose --"))).toEqual([
      `${compose()} down --remove-orphans`,
      `${compose()} down --remove-orphans --volumes`,
    ]);
    expect(read("compose.yaml")).toBe(STACK_FILES.get("compose.yaml") ?? "");
  });

  test("status: each service with state, health and port, in stack order", async () => {
    writePs("ps.1.json", "running", "healthy", { kafka: "starting" });
    const containers = await status(deps());
    expect(containers).toHaveLength(12);
    const lines = output.join("\n").split("\n");
    expect(lines[0]).toMatch(/^SERVICE\s+STATE\s+HEALTH\s+PORTS$/);
    expect(lines[1]).toMatch(/^api-gateway\s+running\s+healthy\s+127\.0\.0\.1:8080$/);
    expect(lines.find((l) => l.startsWith("kafka"))).toMatch(/^kafka\s+running\s+starting\s+127\.0\.0\.1:9094$/);
    expect(argv().at(-1)).toBe(`${compose()} ps --all --format json`);
  });

  test("status when nothing runs says how to start", async () => {
    await status(deps());
    expect(output).toEqual(["the lab is not running — start it with o11y-lab up"]);
  });

  test("logs [service] [-f]", async () => {
    await logs(deps());
    await logs(deps(), { service: "service-a", follow: true });
    expect(argv().filter((a) => a.startsWith("compose --"))).toEqual([
      `${compose()} logs`,
      `${compose()} logs --follow service-a`,
    ]);
  });

  test("logs of an unknown service names the choices", async () => {
    expect(await failure(logs(deps(), { service: "nope" }))).toStartWith(
      'unknown service "nope" — choose one of api-gateway',
    );
  });
});

describe("the CLI", () => {
  const cli = (args: string[], env: Record<string, string>) =>
    Bun.spawnSync([process.execPath, join(REPO, "src/index.ts"), ...args], {
      env: { ...process.env, PATH: `${join(fake, "bin")}:/usr/bin:/bin`, FAKE_DIR: fake, ...env },
    });

  test("a Docker failure is one line on stderr and exit 1", () => {
    writeFileSync(join(fake, "daemon-down"), "");
    const result = cli(["up"], { O11Y_LAB_STATE_DIR: join(fake, "state") });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString().trim()).toBe(
      "o11y-lab: Docker is not running — start Docker, then run o11y-lab up",
    );
  });

  test("status writes the stack to the state dir and asks compose", () => {
    const result = cli(["status"], { O11Y_LAB_STATE_DIR: join(fake, "state") });
    expect(result.exitCode).toBe(0);
    expect(argv().at(-1)).toBe(`${compose()} ps --all --format json`);
    expect(existsSync(join(dir, "grafana/provisioning/datasources/datasources.yaml"))).toBe(true);
  });

  test("down -v", () => {
    const result = cli(["down", "-v"], { O11Y_LAB_STATE_DIR: join(fake, "state") });
    expect(result.exitCode).toBe(0);
    expect(argv().at(-1)).toBe(`${compose()} down --remove-orphans --volumes`);
  });
});
