import { existsSync } from "node:fs";
import { join } from "node:path";
import { LabError } from "../errors.ts";
import type { Program } from "../stack/docker.ts";
import type { Reporter } from "../stack/lifecycle.ts";
import { writeChanged } from "../stack/state.ts";
import { chartDirFiles, chartMeta } from "./chart.ts";
import { CODE_CONFIGMAP, codeConfigMap } from "./code.ts";

/** What `o11y-lab k8s` needs from the outside world, passed in (tests pass stand-ins on PATH). */
export interface K8sDeps {
  readonly helm: Program;
  readonly kubectl: Program;
  /** The state directory's k8s/: the chart is written to chart/ there, the code ConfigMap next to it. */
  readonly dir: string;
  readonly report: Reporter;
  readonly bundle: () => Promise<string>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** Where the lab goes and with which values. */
export interface Target {
  readonly namespace: string;
  readonly release: string;
  /** Values files, in order (helm --values) */
  readonly values: readonly string[];
  /** helm --set K=V, in order */
  readonly set: readonly string[];
}

const INSTALL = {
  helm: "install Helm 3 (https://helm.sh/docs/intro/install/)",
  kubectl: "install kubectl (https://kubernetes.io/docs/tasks/tools/)",
};

function need(tool: Program, name: keyof typeof INSTALL, command: string): void {
  if (!tool.path)
    throw new LabError(`${name} is not installed (no ${name} on PATH)`, `${INSTALL[name]}, then run ${command}`);
}

/** The line of a tool's stderr that says what went wrong: Helm's "Error: …", else the last one. */
function failed(what: string, code: number, stderr: string, hint: string): LabError {
  const lines = stderr.trim().split("\n");
  const line = (lines.findLast((l) => l.startsWith("Error: ")) ?? lines.at(-1) ?? "").replace(/^Error: /, "").trim();
  return new LabError(`${what} failed (exit ${code})${line ? `: ${line}` : ""}`, hint);
}

/** Writes the embedded chart (and the stack files as its files/) to the state directory; returns its path. */
async function writeChart(deps: K8sDeps): Promise<string> {
  const dir = join(deps.dir, "chart");
  await writeChanged(dir, chartDirFiles());
  return dir;
}

function valuesArgs(target: Target): string[] {
  for (const file of target.values) {
    if (!existsSync(file))
      throw new LabError(`values file ${file} does not exist`, "give the path of a YAML values file");
  }
  return [...target.values.flatMap((f) => ["--values", f]), ...target.set.flatMap((s) => ["--set", s])];
}

/** `o11y-lab k8s render`: the chart's manifests for these values (helm template), for the Kubernetes given. */
export async function render(deps: K8sDeps, target: Target, kubeVersion?: string): Promise<string> {
  need(deps.helm, "helm", "o11y-lab k8s render");
  const args = valuesArgs(target);
  const chart = await writeChart(deps);
  const version = kubeVersion ?? chartMeta().minKubeVersion;
  const out = await deps.helm.capture([
    "template",
    target.release,
    chart,
    "--namespace",
    target.namespace,
    "--kube-version",
    version,
    ...args,
  ]);
  if (out.code !== 0)
    throw failed("helm template", out.code, out.stderr, "check the values (o11y-lab k8s render --help)");
  return out.stdout;
}

/** No cluster answering is one line naming kubectl's reason, not a page of its retries. */
async function checkCluster(deps: K8sDeps, command: string): Promise<void> {
  need(deps.helm, "helm", command);
  need(deps.kubectl, "kubectl", command);
  const version = await deps.kubectl.capture(["version", "--output=json", "--request-timeout=10s"]);
  if (version.code === 0 && /"serverVersion"/.test(version.stdout)) return;
  const last = version.stderr.trim().split("\n").at(-1)?.trim();
  throw new LabError(
    `no Kubernetes cluster answers${last ? ` (kubectl: ${last})` : ""}`,
    `point kubectl at one (KUBECONFIG, kubectl config use-context), then run ${command}`,
  );
}

/** `o11y-lab k8s up`: the code ConfigMap, then helm upgrade --install, then waits until every Deployment is ready. */
export async function up(deps: K8sDeps, target: Target, options: { timeoutMs?: number; pollMs?: number } = {}) {
  const started = deps.now();
  const args = valuesArgs(target);
  await checkCluster(deps, "o11y-lab k8s up");
  const { namespace, release, report } = { ...target, report: deps.report };
  const chart = await writeChart(deps);
  const ns = await deps.kubectl.capture(["get", "namespace", namespace, "--ignore-not-found", "--output=name"]);
  if (ns.code === 0 && !ns.stdout.trim()) {
    const created = await deps.kubectl.capture(["create", "namespace", namespace]);
    if (created.code !== 0)
      throw failed("kubectl create namespace", created.code, created.stderr, "check your rights in the cluster");
    report.info(`namespace ${namespace} created`);
  }
  const codeFile = join(deps.dir, `${CODE_CONFIGMAP}.yaml`);
  await writeChanged(deps.dir, [{ path: `${CODE_CONFIGMAP}.yaml`, content: codeConfigMap(await deps.bundle()) }]);
  // Server-side: a client-side apply would copy 0.5 MB into an annotation, which holds 256 KiB.
  const code = await deps.kubectl.capture([
    "apply",
    "--server-side",
    "--force-conflicts",
    "--namespace",
    namespace,
    "--filename",
    codeFile,
  ]);
  if (code.code !== 0)
    throw failed("kubectl apply (the services' code)", code.code, code.stderr, "check your rights in the namespace");
  report.start(`installing release ${release} in namespace ${namespace} (chart ${chart})`);
  const helm = await deps.helm.attach(["upgrade", "--install", release, chart, "--namespace", namespace, ...args]);
  if (helm !== 0)
    throw new LabError(
      `helm upgrade --install failed (exit ${helm})`,
      "see Helm's message above; o11y-lab k8s status shows what is running",
    );
  await waitReady(deps, namespace, options, started);
  report.log(await urls(deps, namespace));
}

interface DeploymentList {
  items: { metadata: { name: string }; spec: { replicas?: number }; status: { readyReplicas?: number } }[];
}

async function deployments(deps: K8sDeps, namespace: string): Promise<DeploymentList["items"]> {
  const out = await deps.kubectl.capture([
    "get",
    "deployments",
    "--namespace",
    namespace,
    "--selector",
    "app.kubernetes.io/part-of=o11y-lab",
    "--output=json",
  ]);
  if (out.code !== 0)
    throw failed("kubectl get deployments", out.code, out.stderr, "o11y-lab k8s status shows the lab");
  return (JSON.parse(out.stdout) as DeploymentList).items;
}

const ready = (d: DeploymentList["items"][number]) => (d.status.readyReplicas ?? 0) >= (d.spec.replicas ?? 1);

/** Polls the lab's Deployments until each is ready, saying what it still waits for (as `up` does for compose). */
async function waitReady(
  deps: K8sDeps,
  namespace: string,
  options: { timeoutMs?: number; pollMs?: number },
  upStarted: number,
) {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const started = deps.now();
  let said = "";
  let saidAt = 0;
  for (;;) {
    const all = await deployments(deps, namespace);
    const waiting = all.filter((d) => !ready(d)).map((d) => d.metadata.name);
    if (all.length && !waiting.length) {
      deps.report.success(
        `all ${all.length} deployments ready, ${Math.round((deps.now() - upStarted) / 1000)} s after o11y-lab k8s up started`,
      );
      return;
    }
    const elapsed = deps.now() - started;
    if (elapsed >= timeoutMs) {
      throw new LabError(
        `not ready after ${Math.round(elapsed / 1000)} s: ${waiting.join(", ")}`,
        `see kubectl -n ${namespace} describe pod -l app.kubernetes.io/name=${waiting[0] ?? ""}; o11y-lab k8s status shows every deployment`,
      );
    }
    const line = `${all.length - waiting.length}/${all.length} ready, waiting for ${waiting.join(", ")}`;
    if (line !== said || elapsed - saidAt >= 10_000) {
      deps.report.log(`  [${Math.round(elapsed / 1000)}s] ${line}`);
      said = line;
      saidAt = elapsed;
    }
    await deps.sleep(options.pollMs ?? 2000);
  }
}

/** How to reach the lab: Grafana's ingress if the release has one, else port-forward lines. */
async function urls(deps: K8sDeps, namespace: string): Promise<string> {
  const forward = (svc: string, port: number) => `kubectl -n ${namespace} port-forward svc/${svc} ${port}:${port}`;
  const ingress = await deps.kubectl.capture([
    "get",
    "ingress",
    "grafana",
    "--namespace",
    namespace,
    "--ignore-not-found",
    "--output=jsonpath={.spec.rules[0].host} {.spec.tls}",
  ]);
  const [host, tls] = ingress.stdout.trim().split(" ");
  const grafana = (await deployments(deps, namespace)).some((d) => d.metadata.name === "grafana");
  const lines = [""];
  if (grafana) {
    lines.push(
      host
        ? `  Grafana      http${tls ? "s" : ""}://${host}/`
        : `  Grafana      ${forward("grafana", 3000)}, then http://127.0.0.1:3000`,
    );
  }
  lines.push(`  Gateway      ${forward("api-gateway", 8080)}, then http://127.0.0.1:8080/api/process`);
  lines.push("", `  Next: o11y-lab k8s status --namespace ${namespace} · o11y-lab k8s down --namespace ${namespace}`);
  return lines.join("\n");
}

/** `o11y-lab k8s status`: each of the lab's Deployments, ready or not. */
export async function status(deps: K8sDeps, target: Target): Promise<void> {
  await checkCluster(deps, "o11y-lab k8s status");
  const all = await deployments(deps, target.namespace);
  if (!all.length) {
    deps.report.info(
      `no lab in namespace ${target.namespace} — start it with o11y-lab k8s up --namespace ${target.namespace}`,
    );
    return;
  }
  const rows = all.map((d) => [
    d.metadata.name,
    `${d.status.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`,
    ready(d) ? "ready" : "waiting",
  ]);
  const table = [["DEPLOYMENT", "READY", "STATE"], ...rows];
  const width = (i: number) => Math.max(...table.map((r) => (r[i] ?? "").length));
  deps.report.log(
    table
      .map((r) =>
        r
          .map((c, i) => c.padEnd(width(i)))
          .join("  ")
          .trimEnd(),
      )
      .join("\n"),
  );
}

/** `o11y-lab k8s down`: helm uninstall and the code ConfigMap; the namespace stays (it may hold more than the lab). */
export async function down(deps: K8sDeps, target: Target): Promise<void> {
  await checkCluster(deps, "o11y-lab k8s down");
  const { namespace, release } = target;
  const helm = await deps.helm.capture(["uninstall", release, "--namespace", namespace, "--ignore-not-found"]);
  if (helm.code !== 0)
    throw failed("helm uninstall", helm.code, helm.stderr, "o11y-lab k8s status shows what is running");
  const code = await deps.kubectl.capture([
    "delete",
    "configmap",
    CODE_CONFIGMAP,
    "--namespace",
    namespace,
    "--ignore-not-found",
  ]);
  if (code.code !== 0)
    throw failed("kubectl delete configmap", code.code, code.stderr, "check your rights in the namespace");
  deps.report.success(
    `the lab in namespace ${namespace} is down (kubectl delete namespace ${namespace} removes the namespace too)`,
  );
}
