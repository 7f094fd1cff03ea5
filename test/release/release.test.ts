/**
 * `bun run release` as a tagged CI release runs it: every archive, a SHA256SUMS that verifies, the release notes;
 * the linux-x64 binary and the linux-arm64 one (under Debian's qemu-user-static) answer --version with the release
 * version and serve service-d, exporting its spans; every binary embeds the JS bundle, which runs as the off-Linux
 * containers run it and refuses a stack of another version; install.sh, pointed at a local directory of the release
 * files, installs the right binary and refuses an archive whose checksum does not match.
 * Needs test/setup/install.sh (zip, qemu-user-static, libc6-arm64-cross); the Bun runtimes of the other targets come
 * from the npm registry on the first run (cached: BUN_INSTALL_CACHE_DIR).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { $ } from "bun";
import pkg from "../../package.json";
import { pollUntil, type Sink, startSink } from "../e2e/peers.ts";

const REPO = join(import.meta.dir, "../..");
const RELEASE = join(REPO, "dist/release");
const ARCHIVES = [
  "o11y-lab-linux-x64.tar.gz",
  "o11y-lab-linux-arm64.tar.gz",
  "o11y-lab-darwin-x64.tar.gz",
  "o11y-lab-darwin-arm64.tar.gz",
  "o11y-lab-windows-x64.zip",
];
const VERSION = pkg.version;
const QEMU = ["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"];

// Unpacking 100 MB binaries and starting one under qemu take seconds.
setDefaultTimeout(120_000);

let work: string;
let sink: Sink;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "o11y-lab-release-"));
  chmodSync(work, 0o755); // the bundle test runs a file in it as the services' uid
  sink = await startSink();
  const started = Date.now();
  // The release is built once, here, as CI builds it; the tests read what it wrote.
  const run = Bun.spawnSync([process.execPath, "run", "release"], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 12 * 60_000,
  });
  console.log(`bun run release: exit ${run.exitCode} after ${Math.round((Date.now() - started) / 1000)} s`);
  if (run.exitCode !== 0) throw new Error(`bun run release failed (exit ${run.exitCode})`);
}, 13 * 60_000);

afterAll(async () => {
  await sink?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Unpacks a release archive into a fresh directory and returns the path of the binary inside. */
async function unpack(archive: string): Promise<string> {
  const dir = mkdtempSync(join(work, "unpacked-"));
  if (archive.endsWith(".zip")) await $`unzip -q ${join(RELEASE, archive)} -d ${dir}`;
  else await $`tar -xzf ${join(RELEASE, archive)} -C ${dir}`;
  const target = archive.replace(/^o11y-lab-|\.(tar\.gz|zip)$/g, "");
  return join(dir, `o11y-lab-${VERSION}-${target}`, target.startsWith("windows") ? "o11y-lab.exe" : "o11y-lab");
}

describe("bun run release", () => {
  test("writes every archive, the install scripts, SHA256SUMS over all of them, and the release notes", async () => {
    const sums = readFileSync(join(RELEASE, "SHA256SUMS"), "utf8");
    const names = sums
      .trim()
      .split("\n")
      .map((line) => line.split(/\s+/)[1]);
    expect(names.sort()).toEqual([...ARCHIVES, "install.sh", "install.ps1"].sort());
    const check = await $`sha256sum --check --strict SHA256SUMS`.cwd(RELEASE).quiet().nothrow();
    expect(check.stdout.toString()).not.toContain("FAILED");
    expect(check.exitCode).toBe(0);
    const changelog = readFileSync(join(REPO, "CHANGELOG.md"), "utf8");
    const notes = readFileSync(join(RELEASE, "RELEASE_NOTES.md"), "utf8");
    expect(notes.length).toBeGreaterThan(100);
    expect(changelog).toContain(`## [${VERSION}]\n\n${notes}`);
  });

  test("each archive holds one folder with the binary, README, licence and changelog", async () => {
    for (const archive of ARCHIVES) {
      const listing = archive.endsWith(".zip")
        ? await $`unzip -Z1 ${join(RELEASE, archive)}`.text()
        : await $`tar -tzf ${join(RELEASE, archive)}`.text();
      const target = archive.replace(/^o11y-lab-|\.(tar\.gz|zip)$/g, "");
      const folder = `o11y-lab-${VERSION}-${target}/`;
      const binary = target.startsWith("windows") ? "o11y-lab.exe" : "o11y-lab";
      const files = listing
        .trim()
        .split("\n")
        .filter((f) => f !== folder);
      expect(files.sort()).toEqual([binary, "CHANGELOG.md", "LICENSE", "README.md"].map((f) => folder + f).sort());
    }
  });

  test("macOS binaries are Mach-O with a code signature (Apple Silicon runs no unsigned code); Windows' is PE", async () => {
    for (const [archive, cpu] of [
      ["o11y-lab-darwin-arm64.tar.gz", 0x0100000c],
      ["o11y-lab-darwin-x64.tar.gz", 0x01000007],
    ] as const) {
      const file = readFileSync(await unpack(archive));
      expect(file.readUInt32LE(0)).toBe(0xfeedfacf);
      expect(file.readUInt32LE(4)).toBe(cpu);
      let offset = 32;
      const commands: number[] = [];
      for (let i = 0; i < file.readUInt32LE(16); i++) {
        commands.push(file.readUInt32LE(offset));
        offset += file.readUInt32LE(offset + 4);
      }
      expect(commands).toContain(0x1d); // LC_CODE_SIGNATURE
    }
    const exe = readFileSync(await unpack("o11y-lab-windows-x64.zip"));
    expect(exe.subarray(0, 2).toString()).toBe("MZ");
    expect(exe.subarray(exe.readUInt32LE(0x3c), exe.readUInt32LE(0x3c) + 4).toString("latin1")).toBe("PE\0\0");
  });
});

describe.each([
  ["linux-x64", [] as string[], 18_404],
  ["linux-arm64", QEMU, 18_405],
])("the %s binary", (target, runner, port) => {
  test("answers --version with the release version", async () => {
    const binary = await unpack(`o11y-lab-${target}.tar.gz`);
    expect((await $`${[...runner, binary]} --version`.text()).trim()).toBe(VERSION);
  });

  test("runs serve service-d: /health answers on 127.0.0.1 and its spans reach the OTLP endpoint", async () => {
    const binary = await unpack(`o11y-lab-${target}.tar.gz`);
    const child = Bun.spawn([...runner, binary, "serve", "service-d"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOST: "127.0.0.1",
        PORT: String(port),
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", // what the sink reads
        OTEL_BSP_SCHEDULE_DELAY: "200",
      },
      stdout: "ignore",
      stderr: "pipe",
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      const health = await pollUntil(
        `${target} service-d /health`,
        async () => {
          const response = await fetch(`${url}/health`);
          return response.ok && ((await response.json()) as Record<string, unknown>);
        },
        { timeoutMs: 60_000 },
      );
      expect(health).toEqual({ status: "healthy", service: "service-d" });
      expect((await fetch(`${url}/compute?value=7`)).status).toBe(200);
      const span = await sink.waitFor(
        () => sink.spans().find((s) => s.resource["service.name"] === "service-d" && s.span.name.includes("/compute")),
        30_000,
        `a /compute span from the ${target} binary`,
      );
      expect(span.resource["service.version"]).toBe(VERSION);
    } finally {
      child.kill("SIGTERM");
      await child.exited;
    }
  });
});

describe("the bundle the binaries embed (off Linux the services run it on the official Bun image)", () => {
  // As compose.bundle.yaml runs it: mounted at /usr/local/bin/o11y-lab, run by its shebang (#!/usr/bin/env bun)
  // with the image's bun on PATH, as uid 10001. Here the bun is the one that built it, the image's version.
  const asServiceUser = process.getuid?.() === 0 ? ["setpriv", "--reuid=10001", "--regid=10001", "--clear-groups"] : [];
  let bundle: string;
  let env: Record<string, string>;
  beforeAll(() => {
    const bin = join(work, "image-bin");
    mkdirSync(bin, { mode: 0o755 });
    cpSync(process.execPath, join(bin, "bun"));
    bundle = join(bin, "o11y-lab");
    cpSync(join(REPO, "dist/o11y-lab.js"), bundle);
    chmodSync(bundle, 0o755);
    env = { PATH: `${bin}:/usr/bin:/bin`, BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0", HOST: "127.0.0.1", PORT: "18406" };
  });

  test("is inside every released binary, byte for byte", async () => {
    const js = readFileSync(join(REPO, "dist/o11y-lab.js"));
    expect(js.subarray(0, 19).toString()).toBe("#!/usr/bin/env bun\n");
    for (const archive of ARCHIVES) {
      const binary = readFileSync(await unpack(archive));
      expect(`${archive}: ${binary.includes(js)}`).toBe(`${archive}: true`);
    }
  });

  test("runs serve service-d as uid 10001, and its healthcheck (o11y-lab probe) passes", async () => {
    const child = Bun.spawn([...asServiceUser, bundle, "serve", "service-d"], {
      env: { ...env, OTEL_SDK_DISABLED: "true", O11Y_LAB_STACK_VERSION: VERSION },
      stdout: "ignore",
      stderr: "pipe",
    });
    try {
      const probe = () => Bun.spawnSync([...asServiceUser, bundle, "probe", "http://127.0.0.1:18406/ready"], { env });
      await pollUntil("the bundle's service-d to be ready", () => probe().exitCode === 0, { timeoutMs: 30_000 });
      expect((await $`${[...asServiceUser, bundle]} --version`.env(env).text()).trim()).toBe(VERSION);
    } finally {
      child.kill("SIGTERM");
      await child.exited;
    }
  });

  test("refuses to start under a stack another version wrote, saying how to fix it", () => {
    const run = Bun.spawnSync([...asServiceUser, bundle, "serve", "service-d"], {
      env: { ...env, O11Y_LAB_STACK_VERSION: "0.0.1-old" },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.toString().trim()).toBe(
      `o11y-lab: this service runs o11y-lab ${VERSION}, but the stack was written by o11y-lab 0.0.1-old — run \`o11y-lab up\` again with the o11y-lab you mean to use: it rewrites the stack and restarts the services`,
    );
  });
});

describe("install.sh against a local directory of release files", () => {
  const install = (release: string, into: string, path = "/usr/bin:/bin") =>
    $`sh ${join(REPO, "install.sh")}`
      .env({ PATH: path, HOME: work, O11Y_LAB_RELEASE: release, O11Y_LAB_INSTALL_DIR: into })
      .quiet()
      .nothrow();

  test("installs this machine's binary (linux-x64), says how to put it on PATH, and the binary runs", async () => {
    const into = join(work, "bin");
    const result = await install(RELEASE, into);
    expect(result.stderr.toString()).toBe("");
    expect(result.exitCode).toBe(0);
    const installed = readFileSync(join(into, "o11y-lab"));
    expect(installed.equals(readFileSync(await unpack("o11y-lab-linux-x64.tar.gz")))).toBe(true);
    expect((await $`${join(into, "o11y-lab")} --version`.text()).trim()).toBe(VERSION);
    const out = result.stdout.toString();
    expect(out).toContain(`o11y-lab ${VERSION} installed: ${into}/o11y-lab`);
    expect(out).toContain(`export PATH="${into}:$PATH"`);
    expect((await install(RELEASE, into, `${into}:/usr/bin:/bin`)).stdout.toString()).toContain(
      "Start the lab: o11y-lab up",
    );
  });

  test("refuses an archive whose checksum does not match, and installs nothing", async () => {
    const tampered = join(work, "tampered");
    cpSync(RELEASE, tampered, { recursive: true });
    writeFileSync(join(tampered, "o11y-lab-linux-x64.tar.gz"), "\n", { flag: "a" });
    const into = join(work, "bin-tampered");
    const result = await install(tampered, into);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString()).toMatch(
      /^install\.sh: o11y-lab-linux-x64\.tar\.gz does not match SHA256SUMS \(expected [0-9a-f]{64}, got [0-9a-f]{64}\): nothing installed/,
    );
    expect(await Bun.file(join(into, "o11y-lab")).exists()).toBe(false);
  });

  test("on an Apple Silicon Mac (uname stood in) picks darwin-arm64, and installs nothing that cannot run", async () => {
    const fakeBin = join(work, "fake-uname");
    mkdirSync(fakeBin, { recursive: true });
    writeFileSync(join(fakeBin, "uname"), '#!/bin/sh\ncase "$1" in -s) echo Darwin ;; -m) echo arm64 ;; esac\n');
    chmodSync(join(fakeBin, "uname"), 0o755);
    const into = join(work, "bin-mac");
    const result = await install(RELEASE, into, `${fakeBin}:/usr/bin:/bin`);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString().trim()).toBe(
      "install.sh: the o11y-lab in o11y-lab-darwin-arm64.tar.gz does not run on this machine: nothing installed",
    );
    expect(await Bun.file(join(into, "o11y-lab")).exists()).toBe(false);
  });
});
