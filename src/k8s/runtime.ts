import { join } from "node:path";
import { consola } from "consola";
import { program } from "../stack/docker.ts";
import { labBundle } from "../stack/runtime.ts";
import { stateDir } from "../stack/state.ts";
import type { K8sDeps } from "./lifecycle.ts";

/** The real world for `o11y-lab k8s`: helm and kubectl on PATH, the per-user state dir, consola. */
export function k8sDeps(tag: string): K8sDeps {
  return {
    helm: program("helm"),
    kubectl: program("kubectl"),
    dir: join(stateDir(), "k8s"),
    report: consola.withTag(tag),
    bundle: labBundle,
    sleep: (ms) => Bun.sleep(ms),
    now: Date.now,
  };
}
