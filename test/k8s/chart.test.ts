/**
 * The chart as Helm and a real kube-apiserver see it: `helm lint` and `helm template` for the default values and
 * each documented value set (examples/), the stack files it deploys byte for byte the stack's, its images and
 * commands the compose lab's, the embedded chart (`o11y-lab k8s render`) the checkout's; then every object of every
 * value set accepted by kube-apiserver 1.34 (the chart's floor) in a server-side dry run, and `o11y-lab k8s
 * up/status/down` run for real against it (no nodes: up installs, then times out waiting, naming every deployment).
 * Needs test/setup/k8s.sh install.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLES } from "../../src/k8s/chart.ts";
import { CODE_CONFIGMAP, codeConfigMap } from "../../src/k8s/code.ts";
import { down, type K8sDeps, status, up } from "../../src/k8s/lifecycle.ts";
import { program } from "../../src/stack/docker.ts";
import { otlpExportConfig } from "../../src/stack/otlp-export.ts";
import { VERSION } from "../../src/version.ts";
import { runCli } from "../e2e/cli.ts";
import { REPO_ROOT } from "../e2e/peers.ts";
import { type ControlPlane, K8S_BIN, startControlPlane } from "./cluster.ts";

setDefaultTimeout(120_000);

const CHART = join(REPO_ROOT, "deploy/helm/o11y-lab");
const STACK = join(REPO_ROOT, "stack");
const KUBE_VERSION = "1.34.0";
const TOOLS_ENV = { ...process.env, PATH: `${K8S_BIN}:${process.env.PATH ?? ""}` };
const helm = program("helm", TOOLS_ENV);

/** The default values, and each documented value set. */
const SETS: Record<string, string[]> = Object.fromEntries([
  ["default", []],
  ...EXAMPLES.map((name) => [name, ["--values", join(CHART, "examples", `${name}.yaml`)]]),
]);

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string; items?: { key: string; path: string }[] } }[];
}

async function template(args: string[], namespace = "lab"): Promise<string> {
  const out = await helm.capture([
    "template",
    "o11y-lab",
    CHART,
    "--namespace",
    namespace,
    "--kube-version",
    KUBE_VERSION,
    ...args,
  ]);
  expect(out.code, out.stderr).toBe(0);
  return out.stdout;
}

const objects = (yaml: string) => (Bun.YAML.parse(yaml) as (K8sObject | null)[]).filter((o): o is K8sObject => !!o);
const ofKind = (all: K8sObject[], kind: string) => all.filter((o) => o.kind === kind);
const podSpec = (d: K8sObject) => (d.spec as { template: { spec: PodSpec } }).template.spec;

interface ComposeService {
  image?: string;
  build?: { args: { BASE: string } };
  command?: string[];
  volumes?: string[];
}
const compose = Bun.YAML.parse(readFileSync(join(STACK, "compose.yaml"), "utf8")) as {
  services: Record<string, ComposeService>;
};
const bunImage = (
  Bun.YAML.parse(readFileSync(join(STACK, "compose.bundle.yaml"), "utf8")) as { "x-bundle": { image: string } }
)["x-bundle"].image;
const BACKENDS = ["tempo", "loki", "prometheus", "grafana"];
const ROLES = Object.keys(compose.services).filter((s) => compose.services[s]?.command?.[0] === "serve");

describe("helm lint and helm template, for the default values and each documented value set", () => {
  for (const [name, args] of Object.entries(SETS)) {
    test(`${name}: helm lint --strict passes`, async () => {
      const out = await helm.capture(["lint", "--strict", CHART, ...args]);
      expect(out.code, out.stdout + out.stderr).toBe(0);
      expect(out.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
    });

    test(`${name}: every compose service, with compose's image, and the stack's files byte for byte`, async () => {
      const all = objects(await template(args));
      const expected = Object.keys(compose.services).filter(
        (s) => name !== "external-backend" || !BACKENDS.includes(s),
      );
      const deployments = ofKind(all, "Deployment");
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual(expected.sort());
      expect(
        ofKind(all, "Service")
          .map((s) => s.metadata.name)
          .sort(),
      ).toEqual(expected.sort());
      for (const d of deployments) {
        const service = compose.services[d.metadata.name] as ComposeService;
        const [container] = podSpec(d).containers;
        const role = ROLES.includes(d.metadata.name);
        const image = role
          ? name === "own-image"
            ? `registry.example.com/o11y-lab:${VERSION}`
            : bunImage
          : (service.build?.args.BASE ?? service.image);
        expect(container?.image).toBe(image as string);
        if (!name.startsWith("otlp") && !name.startsWith("external")) expect(container?.args).toEqual(service.command);
        for (const e of container?.env ?? []) expect(e.value).not.toContain("${");
        if (role) expect(container?.env).toContainEqual({ name: "O11Y_LAB_STACK_VERSION", value: VERSION });
        // Every stack file compose mounts into this service is in its ConfigMap, byte for byte.
        const files = ofKind(all, "ConfigMap").find((c) => c.metadata.name === `${d.metadata.name}-files`);
        for (const spec of service.volumes ?? []) {
          const source = spec.split(":")[0] ?? "";
          if (!source.startsWith("./")) continue;
          const path = source.slice(2);
          const keys = Object.keys(files?.data ?? {}).filter(
            (k) => k === path.replaceAll("/", "_") || k.startsWith(`${path.replaceAll("/", "_")}_`),
          );
          expect(keys.length).toBeGreaterThan(0);
          for (const key of keys) {
            const item = podSpec(d)
              .volumes?.flatMap((v) => v.configMap?.items ?? [])
              .find((i) => i.key === key);
            const file = item ? join(path, item.path) : path;
            expect(files?.data?.[key]).toBe(readFileSync(join(STACK, file), "utf8"));
          }
        }
      }
    });

    test(`${name}: o11y-lab k8s render (the embedded chart) prints what helm template prints from the checkout`, async () => {
      const valueArgs = args.flatMap((a) => (a === "--values" ? ["-f"] : [a]));
      const rendered = await runCli(["k8s", "render", "--namespace", "lab", ...valueArgs], TOOLS_ENV);
      expect(rendered.code).toBe(0);
      expect(rendered.out).toBe(await template(args));
    });
  }

  test("the services run this version's bundle on the Bun image, or the image named by version, and nothing else", async () => {
    const bundled = ofKind(objects(await template([])), "Deployment").filter((d) => ROLES.includes(d.metadata.name));
    expect(bundled).toHaveLength(5);
    for (const d of bundled) {
      const spec = podSpec(d);
      expect(spec.containers[0]?.command).toEqual(["bun", "/opt/o11y-lab/o11y-lab.js"]);
      expect(spec.initContainers?.[0]?.image).toBe(bunImage);
      expect(spec.volumes?.find((v) => v.name === "code")?.configMap?.name).toBe(CODE_CONFIGMAP);
    }
    const own = ofKind(objects(await template(SETS["own-image"] ?? [])), "Deployment").filter((d) =>
      ROLES.includes(d.metadata.name),
    );
    for (const d of own) {
      expect(podSpec(d).containers[0]?.command).toEqual(["/usr/local/bin/o11y-lab"]);
      expect(podSpec(d).initContainers).toBeUndefined();
    }
  });

  test("otlpExport is the collector config `o11y-lab up --otlp-endpoint` writes; without the bundled backends, minus their exporters", async () => {
    const secret = (all: K8sObject[]) => {
      const s = ofKind(all, "Secret").find((o) => o.metadata.name === "otel-collector-otlp-export");
      return Bun.YAML.parse(s?.stringData?.["otlp-export.yaml"] ?? "") as {
        service: { pipelines: Record<string, { exporters: string[] }> };
      };
    };
    const headers = { Authorization: "Bearer replace-me" };
    const exported = objects(await template(SETS["otlp-export"] ?? []));
    expect(secret(exported)).toEqual(Bun.YAML.parse(otlpExportConfig("https://otlp.example.com", headers)) as never);
    const collector = ofKind(exported, "Deployment").find((d) => d.metadata.name === "otel-collector");
    expect(podSpec(collector as K8sObject).containers[0]?.args).toContain(
      "--config=/etc/otelcol-contrib/otlp-export.yaml",
    );
    const only = secret(objects(await template(SETS["external-backend"] ?? [])));
    const used = Object.values(only.service.pipelines).flatMap((p) => p.exporters);
    expect(used).toContain("otlphttp/external");
    expect(used).not.toContain("otlphttp/tempo");
    expect(used).not.toContain("otlphttp/loki");
  });

  test("a learner's namespace: its Grafana host, its quota, its label on every object", async () => {
    const all = objects(await template([...(SETS.classroom ?? []), "--set", "learner=alice"], "o11y-lab-alice"));
    const ingress = ofKind(all, "Ingress")[0] as K8sObject;
    expect((ingress.spec as { rules: { host: string }[] }).rules[0]?.host).toBe(
      "grafana.o11y-lab-alice.lab.example.com",
    );
    expect(ofKind(all, "ResourceQuota")).toHaveLength(1);
    for (const o of all) expect(o.metadata.labels?.["o11y-lab/learner"]).toBe("alice");
  });

  test("no bundled backends and no endpoint: helm refuses, and the CLI says it in one line", async () => {
    const out = await runCli(["k8s", "render", "--set", "bundledBackends=false"], TOOLS_ENV);
    expect(out.code).toBe(1);
    expect(out.out.trim().split("\n")).toEqual([
      "o11y-lab: helm template failed (exit 1): execution error at (o11y-lab/templates/components.yaml:10:4): bundledBackends: false needs otlpExport.endpoint: the collector would have nowhere to send traces and logs — check the values (o11y-lab k8s render --help)",
    ]);
  });
});

describe("a real kube-apiserver (1.34, the chart's floor) accepts every object", () => {
  let cluster: ControlPlane;
  let kubectl: ReturnType<typeof program>;
  beforeAll(async () => {
    cluster = await startControlPlane();
    kubectl = program("kubectl", cluster.env);
  });
  afterAll(() => cluster?.stop());

  test("the server is the Kubernetes the chart declares", async () => {
    const out = await kubectl.capture(["version", "--output=json"]);
    expect(out.code, out.stderr).toBe(0);
    expect((JSON.parse(out.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion).toBe(
      "v1.34.4",
    );
  });

  for (const [name, args] of Object.entries(SETS)) {
    test(`${name}: kubectl apply --dry-run=server accepts every object`, async () => {
      const namespace = `dry-${name}`;
      expect((await kubectl.capture(["create", "namespace", namespace])).code).toBe(0);
      const dir = await mkdtemp(join(tmpdir(), "o11y-lab-k8s-dry-"));
      const manifests = `${codeConfigMap("console.log('the code ConfigMap, small')")}---\n${await template(args, namespace)}`;
      await Bun.write(join(dir, "all.yaml"), manifests);
      const out = await kubectl.capture([
        "apply",
        "--dry-run=server",
        "--namespace",
        namespace,
        "--filename",
        join(dir, "all.yaml"),
      ]);
      expect(out.code, out.stderr).toBe(0);
      const accepted = out.stdout.trim().split("\n");
      expect(accepted).toHaveLength(objects(manifests).length);
      for (const line of accepted) expect(line).toMatch(/ created \(server dry run\)$/);
    });
  }

  test("and refuses what a cluster refuses (the dry run can fail)", async () => {
    const bad = (await template([], "dry-default")).replace("memory: 192Mi", "memory: 192 MiB");
    const dir = await mkdtemp(join(tmpdir(), "o11y-lab-k8s-bad-"));
    await Bun.write(join(dir, "bad.yaml"), bad);
    const out = await kubectl.capture([
      "apply",
      "--dry-run=server",
      "--namespace",
      "dry-default",
      "--filename",
      join(dir, "bad.yaml"),
    ]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain("quantities must match the regular expression");
  });

  test("o11y-lab k8s up installs the release and the code, waits and names what is not ready; status; down", async () => {
    const lines: string[] = [];
    const record = (line: string) => lines.push(line);
    const deps: K8sDeps = {
      helm: program("helm", cluster.env),
      kubectl,
      dir: await mkdtemp(join(tmpdir(), "o11y-lab-k8s-state-")),
      report: { info: record, start: record, success: record, warn: record, log: record },
      bundle: async () => "console.log('the lab')",
      sleep: (ms) => Bun.sleep(ms),
      now: Date.now,
    };
    const target = { namespace: "o11y-lab-bob", release: "o11y-lab", values: [], set: ["learner=bob"] };
    // No nodes here: nothing becomes ready, so up ends at its timeout, having installed everything.
    const error = await up(deps, target, { timeoutMs: 4000, pollMs: 1000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toStartWith(`not ready after `);
    expect(error?.message).toContain(Object.keys(compose.services).sort().join(", "));
    expect(lines).toContain("namespace o11y-lab-bob created");
    expect(lines.some((l) => /^ {2}\[\d+s\] 0\/12 ready, waiting for api-gateway/.test(l))).toBe(true);
    const code = await kubectl.capture([
      "get",
      "configmap",
      CODE_CONFIGMAP,
      "--namespace",
      "o11y-lab-bob",
      "--output=name",
    ]);
    expect(code.stdout.trim()).toBe(`configmap/${CODE_CONFIGMAP}`);
    const release = await deps.helm.capture(["status", "o11y-lab", "--namespace", "o11y-lab-bob", "--output=json"]);
    expect((JSON.parse(release.stdout) as { info: { status: string } }).info.status).toBe("deployed");

    lines.length = 0;
    await status(deps, target);
    expect(lines[0]?.split("\n")[0]).toMatch(/^DEPLOYMENT\s+READY\s+STATE$/);
    expect(lines[0]).toMatch(/\nkafka\s+0\/1\s+waiting\n/);

    lines.length = 0;
    await down(deps, target);
    expect(lines.at(-1)).toStartWith("the lab in namespace o11y-lab-bob is down");
    lines.length = 0;
    await status(deps, target);
    expect(lines).toEqual([
      "no lab in namespace o11y-lab-bob — start it with o11y-lab k8s up --namespace o11y-lab-bob",
    ]);
    const gone = await kubectl.capture([
      "get",
      "configmap",
      CODE_CONFIGMAP,
      "--namespace",
      "o11y-lab-bob",
      "--ignore-not-found",
      "--output=name",
    ]);
    expect(gone.stdout.trim()).toBe("");
  });
});
