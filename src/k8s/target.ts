import { LabError } from "../errors.ts";
import { repeatedFlag } from "../stack/otlp-export.ts";
import type { Target } from "./lifecycle.ts";

/** The namespace `o11y-lab k8s` uses without --namespace or --learner. */
export const DEFAULT_NAMESPACE = "o11y-lab";

/** A Kubernetes namespace (and Helm release) name: an RFC 1123 label. */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function label(flag: string, value: string, max = 63): string {
  if (value.length > max || !LABEL.test(value)) {
    throw new LabError(
      `--${flag} "${value}" is not a valid name`,
      `use up to ${max} lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  return value;
}

export interface TargetFlags {
  readonly namespace?: string;
  readonly learner?: string;
  readonly release?: string;
}

/**
 * Where a `k8s` command acts and with which values. --learner NAME is one learner's lab: namespace
 * o11y-lab-NAME (unless --namespace says otherwise) and the chart's `learner` value; a later --set may override it.
 * Options the command does not know are refused, so a typo never deploys the default.
 */
export function parseTarget(args: TargetFlags, rawArgs: readonly string[], known: readonly string[]): Target {
  for (const arg of rawArgs) {
    const name = /^--?([^=]+)/.exec(arg)?.[1];
    if (name && !known.includes(name))
      throw new LabError(`unknown option ${arg.split("=")[0]}`, "run o11y-lab k8s --help");
  }
  const learner =
    args.learner === undefined ? undefined : label("learner", args.learner, 63 - `${DEFAULT_NAMESPACE}-`.length);
  const namespace = label(
    "namespace",
    args.namespace ?? (learner ? `${DEFAULT_NAMESPACE}-${learner}` : DEFAULT_NAMESPACE),
  );
  const release = label("release", args.release ?? "o11y-lab", 53); // Helm's limit
  const set = repeatedFlag(rawArgs, "--set");
  for (const s of set) {
    if (!/^[^=]+=/.test(s))
      throw new LabError(`--set "${s}" is not K=V`, "write it as --set grafana.anonymousRole=Viewer");
  }
  return {
    namespace,
    release,
    values: repeatedFlag(rawArgs, "--values", "-f"),
    set: [...(learner ? [`learner=${learner}`] : []), ...set],
  };
}
