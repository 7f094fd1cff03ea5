/**
 * The stack's files, embedded in the binary: `o11y-lab up` writes them to the state directory.
 * Paths are relative to stack/ and to the state directory's stack/ alike. assets.test.ts checks that this list
 * and the files in stack/ are the same set.
 */

import composeBinary from "../../stack/compose.binary.yaml" with { type: "text" };
import composeBuild from "../../stack/compose.build.yaml" with { type: "text" };
import composeBundle from "../../stack/compose.bundle.yaml" with { type: "text" };
import composeOtlpExport from "../../stack/compose.otlp-export.yaml" with { type: "text" };
import compose from "../../stack/compose.yaml" with { type: "text" };
import serviceDockerfile from "../../stack/Dockerfile" with { type: "text" };
import dashboardProvider from "../../stack/grafana/provisioning/dashboards/dashboards.yaml" with { type: "text" };
import distributedTracing from "../../stack/grafana/provisioning/dashboards/o11y-lab/distributed-tracing.json" with {
  type: "text",
};
import kafkaPostgres from "../../stack/grafana/provisioning/dashboards/o11y-lab/kafka-postgres.json" with {
  type: "text",
};
import overview from "../../stack/grafana/provisioning/dashboards/o11y-lab/overview.json" with { type: "text" };
import servicePerformance from "../../stack/grafana/provisioning/dashboards/o11y-lab/service-performance.json" with {
  type: "text",
};
import datasources from "../../stack/grafana/provisioning/datasources/datasources.yaml" with { type: "text" };
import withWget from "../../stack/images/with-wget.Dockerfile" with { type: "text" };
import loki from "../../stack/loki/loki.yaml" with { type: "text" };
import collectorBuilder from "../../stack/otel-collector/builder.yaml" with { type: "text" };
import collector from "../../stack/otel-collector/config.yaml" with { type: "text" };
import prometheus from "../../stack/prometheus/prometheus.yml" with { type: "text" };
import tempo from "../../stack/tempo/tempo.yaml" with { type: "text" };

/** A `with { type: "text" }` import is a string at run time, whatever the editor's types say about .yaml/.json. */
function text(content: unknown, path: string): string {
  if (typeof content !== "string") throw new Error(`stack/${path} was not embedded as text`);
  return content;
}

const FILES: Record<string, unknown> = {
  "compose.yaml": compose,
  "compose.binary.yaml": composeBinary,
  "compose.build.yaml": composeBuild,
  "compose.bundle.yaml": composeBundle,
  "compose.otlp-export.yaml": composeOtlpExport,
  Dockerfile: serviceDockerfile,
  "images/with-wget.Dockerfile": withWget,
  "otel-collector/builder.yaml": collectorBuilder,
  "otel-collector/config.yaml": collector,
  "prometheus/prometheus.yml": prometheus,
  "loki/loki.yaml": loki,
  "tempo/tempo.yaml": tempo,
  "grafana/provisioning/datasources/datasources.yaml": datasources,
  "grafana/provisioning/dashboards/dashboards.yaml": dashboardProvider,
  "grafana/provisioning/dashboards/o11y-lab/overview.json": overview,
  "grafana/provisioning/dashboards/o11y-lab/service-performance.json": servicePerformance,
  "grafana/provisioning/dashboards/o11y-lab/distributed-tracing.json": distributedTracing,
  "grafana/provisioning/dashboards/o11y-lab/kafka-postgres.json": kafkaPostgres,
};

/** Every stack file: path under stack/ → content. */
export const STACK_FILES: ReadonlyMap<string, string> = new Map(
  Object.entries(FILES).map(([path, content]) => [path, text(content, path)]),
);

/** One embedded stack file's text. */
export function stackFile(path: string): string {
  const content = STACK_FILES.get(path);
  if (content === undefined) throw new Error(`no embedded stack file ${path}`);
  return content;
}
