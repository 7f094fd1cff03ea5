import { consola } from "consola";
import { docker } from "./docker.ts";
import type { LabDeps } from "./lifecycle.ts";
import { portFree } from "./preflight.ts";
import { stackDir } from "./state.ts";

/** The compiled o11y-lab executable that is running, or undefined when running from source under bun. */
export function runningBinary(): string | undefined {
  const script = process.argv[1];
  const compiled = !script || script.startsWith("/$bunfs/") || script === process.execPath;
  return compiled ? process.execPath : undefined;
}

/** The real world for the lifecycle commands: docker on PATH, the per-user state dir, consola. */
export function labDeps(tag: string): LabDeps {
  return {
    docker: docker(),
    dir: stackDir(),
    report: consola.withTag(tag),
    portFree,
    sleep: (ms) => Bun.sleep(ms),
    now: Date.now,
    binary: runningBinary(),
    platform: process.platform,
  };
}
