import { defineCommand } from "citty";
import type { TargetFlags } from "../k8s/target.ts";

const TARGET_ARGS = {
  namespace: {
    type: "string",
    alias: "n",
    description: "The namespace of the lab (default o11y-lab)",
    valueHint: "name",
  },
  learner: {
    type: "string",
    description: "One learner's lab: namespace o11y-lab-<name>, labelled with the name",
    valueHint: "name",
  },
  release: { type: "string", description: "The Helm release's name (default o11y-lab)", valueHint: "name" },
} as const;

const VALUES_ARGS = {
  values: { type: "string", alias: "f", description: "A values file for the chart (repeatable)", valueHint: "file" },
  set: { type: "string", description: "A chart value, K=V (repeatable), as helm --set", valueHint: "K=V" },
} as const;

/** Every option name a k8s subcommand with these args accepts, aliases included, and --help's. */
function known(args: Record<string, { readonly type: string; readonly alias?: string }>): string[] {
  return ["help", "h", ...Object.entries(args).flatMap(([name, a]) => [name, ...(a.alias ? [a.alias] : [])])];
}

async function context(
  tag: string,
  args: TargetFlags,
  rawArgs: string[],
  spec: Record<string, { readonly type: string; readonly alias?: string }>,
) {
  const { parseTarget } = await import("../k8s/target.ts");
  const target = parseTarget(args, rawArgs, known(spec));
  const { k8sDeps } = await import("../k8s/runtime.ts");
  return { target, deps: k8sDeps(tag) };
}

const RENDER_ARGS = {
  ...TARGET_ARGS,
  ...VALUES_ARGS,
  "kube-version": {
    type: "string",
    description: "Render for this Kubernetes version (default: the oldest the chart declares)",
    valueHint: "1.34.0",
  },
} as const;
const render = defineCommand({
  meta: { name: "render", description: "Print the lab's Kubernetes manifests for these values (helm template)" },
  args: RENDER_ARGS,
  async run({ args, rawArgs }) {
    const { target, deps } = await context("k8s", args, rawArgs, RENDER_ARGS);
    const kube = args["kube-version"];
    if (kube !== undefined && !/^v?\d+\.\d+(\.\d+)?$/.test(kube)) {
      const { LabError } = await import("../errors.ts");
      throw new LabError(`--kube-version "${kube}" is not a version`, "write it as 1.34.0");
    }
    const { render } = await import("../k8s/lifecycle.ts");
    process.stdout.write(await render(deps, target, kube));
  },
});

const UP_ARGS = { ...TARGET_ARGS, ...VALUES_ARGS } as const;
const up = defineCommand({
  meta: { name: "up", description: "Install or upgrade the lab in a namespace (helm) and wait until it is ready" },
  args: UP_ARGS,
  async run({ args, rawArgs }) {
    const { target, deps } = await context("k8s up", args, rawArgs, UP_ARGS);
    const { up } = await import("../k8s/lifecycle.ts");
    await up(deps, target);
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Show each of the lab's deployments in a namespace, ready or not" },
  args: TARGET_ARGS,
  async run({ args, rawArgs }) {
    const { target, deps } = await context("k8s status", args, rawArgs, TARGET_ARGS);
    const { status } = await import("../k8s/lifecycle.ts");
    await status(deps, target);
  },
});

const down = defineCommand({
  meta: { name: "down", description: "Uninstall the lab from a namespace (helm uninstall); the namespace stays" },
  args: TARGET_ARGS,
  async run({ args, rawArgs }) {
    const { target, deps } = await context("k8s down", args, rawArgs, TARGET_ARGS);
    const { down } = await import("../k8s/lifecycle.ts");
    await down(deps, target);
  },
});

const code = defineCommand({
  meta: {
    name: "code",
    description: "Print the ConfigMap with the services' code (for helm install by hand; k8s up applies it)",
  },
  async run() {
    const { codeConfigMap } = await import("../k8s/code.ts");
    const { labBundle } = await import("../stack/runtime.ts");
    process.stdout.write(codeConfigMap(await labBundle()));
  },
});

export default defineCommand({
  meta: { name: "k8s", description: "The lab on Kubernetes, for a room or a team: render, up, status, down (Helm)" },
  subCommands: { render, up, status, down, code },
});
