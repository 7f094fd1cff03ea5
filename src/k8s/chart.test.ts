import { expect, test } from "bun:test";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { VERSION } from "../version.ts";
import { CHART_FILES, chartMeta, EXAMPLES } from "./chart.ts";
import { CODE_CONFIGMAP, codeConfigMap } from "./code.ts";

const CHART = join(import.meta.dir, "../../deploy/helm/o11y-lab");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (relative(CHART, path) === "files") return [];
    return entry.isDirectory() ? filesUnder(path) : [relative(CHART, path)];
  });
}

test("every file of the chart is embedded, and its files/ is the stack itself (a link to stack/)", () => {
  expect([...CHART_FILES.keys()].sort()).toEqual(filesUnder(CHART).sort());
  for (const [path, content] of CHART_FILES) expect(content).toBe(readFileSync(join(CHART, path), "utf8"));
  expect(lstatSync(join(CHART, "files")).isSymbolicLink()).toBe(true);
  expect(readlinkSync(join(CHART, "files"))).toBe("../../../stack");
});

test("the chart, its services and the image example are this version of o11y-lab", () => {
  const meta = Bun.YAML.parse(CHART_FILES.get("Chart.yaml") ?? "") as { version: string; appVersion: string };
  expect(meta).toMatchObject({ version: VERSION, appVersion: VERSION });
  expect(CHART_FILES.get("examples/own-image.yaml")).toContain(`image: registry.example.com/o11y-lab:${VERSION}\n`);
  expect(EXAMPLES.sort()).toEqual(["classroom", "external-backend", "otlp-export", "own-image"]);
});

test("the Kubernetes the dry run is built for is the oldest the chart declares", () => {
  const script = readFileSync(join(import.meta.dir, "../../test/setup/k8s.sh"), "utf8");
  const built = /^KUBERNETES_VERSION=v(\d+\.\d+)\.\d+$/m.exec(script)?.[1];
  expect(chartMeta().minKubeVersion).toBe(`${built}.0`);
});

test("the code ConfigMap holds the bundle gzipped, within a ConfigMap's 1 MiB", async () => {
  const { buildBundle } = await import("../stack/bundle.ts");
  const bundle = await buildBundle(VERSION);
  const manifest = Bun.YAML.parse(codeConfigMap(bundle)) as {
    metadata: { name: string };
    binaryData: Record<string, string>;
  };
  expect(manifest.metadata.name).toBe(CODE_CONFIGMAP);
  const gz = Buffer.from(manifest.binaryData["o11y-lab.js.gz"] ?? "", "base64");
  expect(new TextDecoder().decode(Bun.gunzipSync(gz))).toBe(bundle);
  expect(gz.length).toBeLessThan(1024 * 1024);
});
