/**
 * Compiles the o11y-lab binary. `bun build.ts` builds for this machine into dist/;
 * `bun build.ts --all` builds every release target (`bun run release` archives them: release.ts).
 * Each binary embeds the lab's JS bundle (src/stack/bundle.ts), built first from the same source and version.
 */
import { mkdir, rm } from "node:fs/promises";
import { resolve } from "node:path";
import type { Build } from "bun";
import pkg from "./package.json";
import { BUNDLE_FILE, buildBundle, bundleModule, labBuild } from "./src/stack/bundle.ts";

/** A release target: Bun's name for it and the OS and CPU names its archive carries. */
export interface Target {
  readonly bun: Build.CompileTarget;
  readonly os: "linux" | "darwin" | "windows";
  readonly arch: "x64" | "arm64";
}

// x64 builds are Bun's baseline ones: its default x64 runtime needs AVX2, which a learner's older PC, or Windows on
// Arm's x64 emulation before 24H2, does not have.
export const TARGETS: readonly Target[] = [
  { bun: "bun-linux-x64-baseline", os: "linux", arch: "x64" },
  { bun: "bun-linux-arm64", os: "linux", arch: "arm64" },
  { bun: "bun-darwin-x64-baseline", os: "darwin", arch: "x64" },
  { bun: "bun-darwin-arm64", os: "darwin", arch: "arm64" },
  { bun: "bun-windows-x64-baseline", os: "windows", arch: "x64" },
];

export const VERSION = process.env.O11Y_LAB_VERSION || pkg.version;

/** The compiled file of a target in dist/ (this machine's when none). */
export function binaryPath(target?: Target): string {
  return target ? `dist/o11y-lab-${target.os}-${target.arch}${target.os === "windows" ? ".exe" : ""}` : "dist/o11y-lab";
}

/** Builds dist/o11y-lab.js, then the binary of each target (this machine's when none), each embedding it. */
export async function build(targets: readonly (Target | undefined)[]): Promise<void> {
  await rm("dist", { recursive: true, force: true });
  await mkdir("dist");
  const bundle = resolve("dist", BUNDLE_FILE);
  await Bun.write(bundle, await buildBundle(VERSION));
  for (const target of targets) {
    const outfile = binaryPath(target);
    const result = await Bun.build({
      ...labBuild(VERSION),
      sourcemap: "linked",
      plugins: [bundleModule(bundle)],
      compile: target ? { target: target.bun, outfile } : { outfile },
    });
    if (!result.success) {
      for (const log of result.logs) console.error(log);
      process.exit(1);
    }
    console.log(`built ${outfile} (${VERSION})`);
  }
}

if (import.meta.main) await build(process.argv.includes("--all") ? TARGETS : [undefined]);
