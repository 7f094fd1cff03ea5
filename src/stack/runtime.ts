import { consola } from "consola";
import { runningBinary } from "../self.ts";
import { VERSION } from "../version.ts";
import { docker } from "./docker.ts";
import type { LabDeps } from "./lifecycle.ts";
import { portFree } from "./preflight.ts";
import { stackDir } from "./state.ts";

/** The lab's JS bundle: the one this binary embeds, or, running from source, the source tree bundled now. */
export async function labBundle(): Promise<string> {
  // From source nothing defines the module (build.ts does, see bundle.ts): the import fails and we bundle here.
  const embedded = await import("o11y-lab:bundle").then(
    (module) => module.default,
    () => undefined,
  );
  if (embedded) return Bun.file(embedded).text();
  const { buildBundle } = await import("./bundle.ts");
  return buildBundle(VERSION);
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
    bundle: labBundle,
    platform: process.platform,
  };
}
