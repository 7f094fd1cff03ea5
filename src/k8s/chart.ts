/**
 * The Helm chart (deploy/helm/o11y-lab), embedded in the binary: `o11y-lab k8s` writes it to the state directory
 * with the embedded stack files as its files/ (in the repository, files/ is a link to stack/), so the chart it runs
 * is the one `helm install` takes from a checkout. chart.test.ts checks that this list and the chart's files are the
 * same set.
 */

import helmignore from "../../deploy/helm/o11y-lab/.helmignore" with { type: "text" };
import chartYaml from "../../deploy/helm/o11y-lab/Chart.yaml" with { type: "text" };
import classroom from "../../deploy/helm/o11y-lab/examples/classroom.yaml" with { type: "text" };
import externalBackend from "../../deploy/helm/o11y-lab/examples/external-backend.yaml" with { type: "text" };
import otlpExport from "../../deploy/helm/o11y-lab/examples/otlp-export.yaml" with { type: "text" };
import ownImage from "../../deploy/helm/o11y-lab/examples/own-image.yaml" with { type: "text" };
import helpers from "../../deploy/helm/o11y-lab/templates/_helpers.tpl" with { type: "text" };
import components from "../../deploy/helm/o11y-lab/templates/components.yaml" with { type: "text" };
import ingress from "../../deploy/helm/o11y-lab/templates/grafana-ingress.yaml" with { type: "text" };
import notes from "../../deploy/helm/o11y-lab/templates/NOTES.txt" with { type: "text" };
import otlpExportTemplate from "../../deploy/helm/o11y-lab/templates/otlp-export.yaml" with { type: "text" };
import quota from "../../deploy/helm/o11y-lab/templates/quota.yaml" with { type: "text" };
import values from "../../deploy/helm/o11y-lab/values.yaml" with { type: "text" };
import { STACK_FILES } from "../stack/assets.ts";
import type { StateFile } from "../stack/state.ts";

const FILES: Record<string, unknown> = {
  "Chart.yaml": chartYaml,
  "values.yaml": values,
  ".helmignore": helmignore,
  "templates/_helpers.tpl": helpers,
  "templates/components.yaml": components,
  "templates/grafana-ingress.yaml": ingress,
  "templates/otlp-export.yaml": otlpExportTemplate,
  "templates/quota.yaml": quota,
  "templates/NOTES.txt": notes,
  "examples/classroom.yaml": classroom,
  "examples/external-backend.yaml": externalBackend,
  "examples/otlp-export.yaml": otlpExport,
  "examples/own-image.yaml": ownImage,
};

/** The chart's own files (files/ aside): path under deploy/helm/o11y-lab → content. */
export const CHART_FILES: ReadonlyMap<string, string> = new Map(
  Object.entries(FILES).map(([path, content]) => {
    if (typeof content !== "string") throw new Error(`deploy/helm/o11y-lab/${path} was not embedded as text`);
    return [path, content];
  }),
);

/** The documented value sets, by name (examples/<name>.yaml). */
export const EXAMPLES = [...CHART_FILES.keys()]
  .filter((path) => path.startsWith("examples/"))
  .map((path) => path.slice("examples/".length, -".yaml".length));

/** Everything a chart directory holds: the chart's files, and the stack's under files/. */
export function chartDirFiles(): StateFile[] {
  return [
    ...[...CHART_FILES].map(([path, content]) => ({ path, content })),
    ...[...STACK_FILES].map(([path, content]) => ({ path: `files/${path}`, content })),
  ];
}

interface ChartMeta {
  appVersion: string;
  kubeVersion: string;
}

/** Chart.yaml's appVersion (the services' version) and the oldest Kubernetes it declares, e.g. "1.34.0". */
export function chartMeta(): { appVersion: string; minKubeVersion: string } {
  const meta = Bun.YAML.parse(chartYaml as string) as ChartMeta;
  const floor = /^>=\s*v?(\d+\.\d+\.\d+)/.exec(meta.kubeVersion)?.[1];
  if (!floor) throw new Error(`Chart.yaml's kubeVersion "${meta.kubeVersion}" has no >= floor`);
  return { appVersion: meta.appVersion, minKubeVersion: floor };
}
