/**
 * Offline checks of what Grafana, Loki and Tempo are given: data source uids, dashboards, units, the correlation
 * templates against the labels the OTLP path really creates, and the Loki/Tempo configs against the collector's.
 * The e2e suite (test/e2e/dashboards.test.ts) runs every PromQL against a real Prometheus.
 */
import { describe, expect, test } from "bun:test";
import { annotate } from "../chaos/grafana.ts";
import { ROLES } from "../roles.ts";
import { stackFile } from "./assets.ts";
import {
  allPanels,
  dashboards,
  datasources,
  derivedFields,
  exemplarDestinations,
  jsonData,
  metricNames,
  panelLogQL,
  panelPromQL,
  panelTraceQL,
  substitute,
  tracesToLogsQuery,
  tracesToMetrics,
  usesService,
  variablePromQL,
} from "./dashboard-queries.ts";

const yaml = <T>(path: string) => Bun.YAML.parse(stackFile(path)) as T;

interface CollectorConfig {
  connectors: Record<
    string,
    { namespace?: string; histogram?: { unit?: string }; dimensions?: Array<{ name: string }> }
  >;
  exporters: Record<string, { endpoint?: string; logs_endpoint?: string }>;
  service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
}
const collector = yaml<CollectorConfig>("otel-collector/config.yaml");
/** `${env:NAME:-default}` → default: what the compose stack runs with. */
const stackValue = (v = "") => v.replace(/\$\{env:[A-Z_]+:-([^}]*)\}/g, "$1");

/** Prometheus names of OTLP attributes: dots become underscores. */
const promLabel = (attribute: string) => attribute.replaceAll(".", "_");

/**
 * The index labels Loki gives OTLP logs: its default resource attributes that the services set (service.name,
 * service.namespace, deployment.environment) plus those loki.yaml adds; dots become underscores.
 */
function lokiLabels(): Set<string> {
  interface Loki {
    limits_config: {
      allow_structured_metadata: boolean;
      otlp_config?: { resource_attributes?: { attributes_config?: Array<{ action: string; attributes: string[] }> } };
    };
  }
  const added = (yaml<Loki>("loki/loki.yaml").limits_config.otlp_config?.resource_attributes?.attributes_config ?? [])
    .filter((c) => c.action === "index_label")
    .flatMap((c) => c.attributes);
  return new Set(["service.name", "service.namespace", "deployment.environment", ...added].map(promLabel));
}

/** Labels in a LogQL stream selector `{a="x", b=~"y"}`. */
const selectorLabels = (logql: string) =>
  [...(/^\s*\{([^}]*)\}/.exec(logql)?.[1] ?? "").matchAll(/([a-zA-Z_]\w*)\s*(=~|!=|!~|=)/g)].map((m) => m[1] ?? "");

/** The metric names the services and the collector emit (common.md's contract; the e2e suite confirms them). */
const KNOWN_METRICS = new Set(
  [
    "http_server_request_duration_seconds",
    "http_client_request_duration_seconds",
    "db_client_operation_duration_seconds",
    "messaging_client_operation_duration_seconds",
    "messaging_process_duration_seconds",
    "service_a_db_query_duration_seconds",
    "service_b_kafka_duration_seconds",
    "service_c_processing_duration_seconds",
    "service_d_compute_duration_seconds",
    "service_d_computation_value",
    "traces_span_metrics_duration_seconds",
    "traces_service_graph_request_server_seconds",
    "traces_service_graph_request_client_seconds",
  ]
    .flatMap((h) => [`${h}_bucket`, `${h}_count`, `${h}_sum`])
    .concat([
      "gateway_requests_total",
      "service_a_process_total",
      "service_a_external_calls_total",
      "service_b_messages_total",
      "service_c_messages_processed_total",
      "service_c_consumer_lag",
      "service_d_compute_total",
      "traces_span_metrics_calls_total",
      "traces_service_graph_request_total",
      "traces_service_graph_request_failed_total",
    ]),
);

describe("data sources", () => {
  const ds = datasources();

  test("Prometheus, Loki and Tempo with fixed uids", () => {
    expect(ds.map((d) => [d.uid, d.type])).toEqual([
      ["prometheus", "prometheus"],
      ["loki", "loki"],
      ["tempo", "tempo"],
    ]);
  });

  test("metrics → trace: exemplars' trace_id label opens Tempo", () => {
    expect(exemplarDestinations()).toEqual([
      { name: "trace_id", datasourceUid: "tempo", urlDisplayLabel: "View trace" },
    ]);
    // The collector's prometheus exporter writes exemplars with the trace_id label, and needs OpenMetrics for it.
    expect((collector.exporters.prometheus as { enable_open_metrics?: boolean }).enable_open_metrics).toBe(true);
  });

  test("logs → trace: the trace_id structured metadata of OTLP logs opens Tempo", () => {
    expect(derivedFields()).toEqual([
      {
        name: "TraceID",
        matcherType: "label",
        matcherRegex: "trace_id",
        datasourceUid: "tempo",
        url: "$" + "{__value.raw}", // Grafana's variable, literally
        urlDisplayLabel: "View trace",
      },
    ]);
    const loki = yaml<{ limits_config: { allow_structured_metadata: boolean } }>("loki/loki.yaml");
    expect(loki.limits_config.allow_structured_metadata).toBe(true);
  });

  test("trace → logs: the query selects labels Loki creates from OTLP and filters on trace_id", () => {
    const query = tracesToLogsQuery();
    const labels = selectorLabels(query);
    expect(labels).toEqual(["service_name"]);
    for (const label of labels) expect(lokiLabels()).toContain(label);
    expect(query).toContain('{__span.tags["service.name"]}');
    expect(query).toMatch(/\| trace_id="\$\{__span\.traceId\}"$/);
  });

  test("trace → metrics: queries use span-metric names and labels the collector's spanmetrics connector emits", () => {
    const spanmetrics = collector.connectors.spanmetrics;
    expect(spanmetrics?.namespace).toBe("traces.span.metrics");
    expect(spanmetrics?.histogram?.unit).toBe("s");
    const { queries, tagLabels } = tracesToMetrics();
    expect(queries.length).toBeGreaterThanOrEqual(3);
    const emitted = new Set([
      "service_name",
      "span_name",
      "span_kind",
      "status_code",
      ...(spanmetrics?.dimensions ?? []).map((d) => promLabel(d.name)),
    ]);
    for (const label of tagLabels) expect(emitted).toContain(label);
    for (const q of queries) {
      const expr = substitute(q.expr, { tags: { service_name: "api-gateway" } });
      for (const name of metricNames(expr)) expect(KNOWN_METRICS).toContain(name);
      for (const m of expr.matchAll(/([a-z_]+)=~?"/g)) expect(emitted).toContain(m[1] ?? "");
    }
  });

  test("service map and node graph: Tempo's metrics-generator writes the service graph into Prometheus", () => {
    const json = jsonData("tempo");
    expect(json.serviceMap?.datasourceUid).toBe("prometheus");
    expect(json.nodeGraph?.enabled).toBe(true);
    expect(json.tracesToLogsV2?.datasourceUid).toBe("loki");
    expect(json.tracesToMetrics?.datasourceUid).toBe("prometheus");
    const tempo = yaml<{
      metrics_generator: { storage: { remote_write: Array<{ url: string }> } };
      overrides: { defaults: { metrics_generator: { processors: string[] } } };
    }>("tempo/tempo.yaml");
    expect(tempo.overrides.defaults.metrics_generator.processors).toEqual(["service-graphs"]);
    expect(tempo.metrics_generator.storage.remote_write.map((w) => w.url)).toEqual([
      "http://prometheus:9090/api/v1/write",
    ]);
    expect(stackFile("compose.yaml")).toContain("--web.enable-remote-write-receiver");
    // One source per metric family: the collector derives span metrics, Tempo only the graph.
    expect(Object.keys(collector.connectors)).toEqual(["spanmetrics"]);
  });
});

describe("dashboards", () => {
  const all = dashboards();
  const uids = new Set(datasources().map((d) => d.uid));
  const types = new Map(datasources().map((d) => [d.uid, d.type]));

  test("Overview, Service Performance, Distributed Tracing, Kafka & Postgres, with unique uids", () => {
    expect([...all.values()].map((d) => d.title).sort()).toEqual([
      "Distributed Tracing",
      "Kafka & Postgres",
      "Overview — Four Golden Signals",
      "Service Performance",
    ]);
    expect(new Set([...all.values()].map((d) => d.uid)).size).toBe(all.size);
  });

  test("the provider puts them in the O11y Lab folder, from where compose mounts them", () => {
    interface Provider {
      providers: Array<{ folder: string; type: string; options: { path: string } }>;
    }
    const provider = yaml<Provider>("grafana/provisioning/dashboards/dashboards.yaml").providers[0];
    expect(provider?.folder).toBe("O11y Lab");
    expect(provider?.options.path).toBe("/etc/grafana/provisioning/dashboards/o11y-lab");
    const compose = stackFile("compose.yaml");
    expect(compose).toContain("./grafana/provisioning:/etc/grafana/provisioning:ro");
    const home = /GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: (\S+)/.exec(compose)?.[1] ?? "";
    expect(all.has(home.replace("/etc/grafana/provisioning/dashboards/o11y-lab/", ""))).toBe(true);
  });

  for (const [file, d] of all) {
    describe(file, () => {
      const panels = allPanels(d);

      test("every data source a panel or target names exists, with the right type", () => {
        // Rows group and text panels explain: neither queries a data source.
        for (const p of panels.filter((p) => p.type !== "row" && p.type !== "text")) {
          for (const ref of [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]) {
            expect(uids).toContain(ref?.uid ?? `${p.title}: no datasource`);
            expect(ref?.type).toBe(types.get(ref?.uid ?? "") ?? "");
          }
        }
      });

      test("every panel says what it shows, its normal range here and what moves it (hover ⓘ in Grafana)", () => {
        const missing = panels.filter((p) => p.type !== "row" && !p.description?.trim()).map((p) => p.title);
        expect(missing).toEqual([]);
      });

      test("panel ids are unique and the grid is 24 wide", () => {
        const ids = panels.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const p of panels) {
          const g = p.gridPos;
          expect(g && g.x >= 0 && g.w > 0 && g.x + g.w <= 24 ? "ok" : `${p.title}: ${JSON.stringify(g)}`).toBe("ok");
        }
      });
    });
  }

  test("Overview opens with the start-here text: metrics → traces → logs", () => {
    const first = all.get("overview.json")?.panels[0];
    expect(first?.type).toBe("text");
    const content = String((first as { options?: { content?: string } } | undefined)?.options?.content).toLowerCase();
    for (const step of ["metrics", "traces", "logs"]) expect(content).toContain(step);
  });

  test("every dashboard marks load and chaos: it shows the annotations `k6` and `chaos` post", async () => {
    const posted: string[][] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      posted.push((JSON.parse(String(init.body)) as { tags: string[] }).tags);
      return new Response("{}");
    }) as unknown as typeof globalThis.fetch;
    await annotate("k6 smoke started", ["k6", "smoke"], { fetch });
    for (const [file, d] of all) {
      const raw = JSON.parse(stackFile(`grafana/provisioning/dashboards/o11y-lab/${file}`)) as {
        annotations: { list: Array<{ datasource: { type: string }; enable: boolean; target: { tags: string[] } }> };
      };
      const query = raw.annotations.list.find((a) => a.datasource.type === "grafana");
      expect({ dashboard: d.title, enabled: query?.enable }).toEqual({ dashboard: d.title, enabled: true });
      for (const tag of query?.target.tags ?? []) expect(posted[0]).toContain(tag);
    }
  });

  test("Service Performance has a `service` variable over the roles' jobs", () => {
    const d = all.get("service-performance.json");
    const variable = d?.templating?.list.find((v) => v.name === "service");
    expect(variable?.regex).toBe("/^o11y-lab\\/(.+)$/");
    expect(variablePromQL()).toEqual([
      {
        source: "service-performance.json › $service",
        expr: 'group by (job) (http_server_request_duration_seconds_count{job=~"o11y-lab/.*"})',
      },
    ]);
  });

  test("Distributed Tracing has the service map, span-metric RED and trace search", () => {
    const panels = allPanels(all.get("distributed-tracing.json") ?? { uid: "", title: "", panels: [] });
    expect(panels.some((p) => p.type === "nodeGraph" && p.targets?.[0]?.queryType === "serviceMap")).toBe(true);
    expect(panels.filter((p) => p.targets?.some((t) => t.queryType === "traceql")).length).toBeGreaterThanOrEqual(1);
    const exprs = panelPromQL()
      .filter((q) => q.source.startsWith("distributed-tracing.json"))
      .map((q) => q.expr);
    expect(exprs.some((e) => e.includes("traces_span_metrics_calls_total"))).toBe(true);
    expect(exprs.some((e) => e.includes("traces_span_metrics_duration_seconds_bucket"))).toBe(true);
    expect(exprs.some((e) => e.includes("traces_service_graph_request_total"))).toBe(true);
  });

  test("every PromQL reads known metric names and substitutes cleanly", () => {
    for (const q of [...panelPromQL(), ...variablePromQL()]) {
      const expr = substitute(q.expr, usesService(q.expr) ? { service: "service-a" } : {});
      const names = metricNames(expr);
      expect(names.length > 0 ? "ok" : `${q.source}: no metric`).toBe("ok");
      for (const name of names)
        expect(`${q.source}: ${name}`).toBe(`${q.source}: ${KNOWN_METRICS.has(name) ? name : "unknown"}`);
      let depth = 0;
      for (const c of expr) depth += c === "(" ? 1 : c === ")" ? -1 : 0;
      expect(`${q.source}: ${depth}`).toBe(`${q.source}: 0`);
    }
  });

  test("units: seconds for every latency, percent for shares, never ms", () => {
    for (const q of panelPromQL()) {
      expect(`${q.source}: ${q.unit}`).not.toBe(`${q.source}: ms`);
      if (/histogram_quantile\(.*_seconds_bucket/.test(q.expr)) expect(`${q.source}: ${q.unit}`).toBe(`${q.source}: s`);
      if (q.expr.startsWith("100 *")) expect(`${q.source}: ${q.unit}`).toBe(`${q.source}: percent`);
    }
  });

  test("exemplars are shown only where they exist: span metrics (the SDKs' own histograms carry none)", () => {
    const shown = panelPromQL().filter((q) => q.exemplar);
    expect(shown.length).toBeGreaterThanOrEqual(3);
    for (const q of shown)
      expect(`${q.source}: ${metricNames(q.expr).join()}`).toBe(
        `${q.source}: traces_span_metrics_duration_seconds_bucket`,
      );
    expect(shown.some((q) => q.source.startsWith("overview.json"))).toBe(true);
  });

  test("Loki panels select labels Loki creates from OTLP", () => {
    const labels = lokiLabels();
    expect(panelLogQL().length).toBeGreaterThanOrEqual(1);
    for (const q of panelLogQL()) {
      for (const label of selectorLabels(q.expr))
        expect(`${q.source}: ${label}`).toBe(`${q.source}: ${labels.has(label) ? label : "not a Loki label"}`);
    }
  });

  test("Tempo search panels use TraceQL on attributes the services set", () => {
    for (const q of panelTraceQL()) {
      expect(q.expr).toMatch(/^\{.*\}$/);
      for (const m of q.expr.matchAll(/resource\.service\.name="([^"]+)"/g)) {
        expect(ROLES.map((r) => r.name)).toContain(m[1] as (typeof ROLES)[number]["name"]);
      }
    }
  });
});

describe("Loki and Tempo configs agree with the collector's exporters and with compose", () => {
  test("Tempo receives OTLP/HTTP where the collector sends traces, serves on 3200", () => {
    interface Tempo {
      server: { http_listen_port: number };
      distributor: { receivers: { otlp: { protocols: { http: { endpoint: string }; grpc: { endpoint: string } } } } };
      storage: { trace: { backend: string; wal: { path: string }; local: { path: string } } };
    }
    const tempo = yaml<Tempo>("tempo/tempo.yaml");
    expect(stackValue(collector.exporters["otlphttp/tempo"]?.endpoint)).toBe("http://tempo:4318");
    expect(tempo.distributor.receivers.otlp.protocols.http.endpoint).toBe("0.0.0.0:4318");
    expect(tempo.server.http_listen_port).toBe(3200);
    expect(tempo.storage.trace.backend).toBe("local");
    expect(tempo.storage.trace.wal.path.startsWith("/var/tempo/")).toBe(true);
    expect(stackFile("compose.yaml")).toContain("tempo-data:/var/tempo");
  });

  test("Loki takes OTLP logs on 3100 where the collector sends them, with a v13 tsdb schema", () => {
    interface Loki {
      auth_enabled: boolean;
      server: { http_listen_port: number };
      common: { path_prefix: string };
      schema_config: { configs: Array<{ store: string; schema: string }> };
    }
    const loki = yaml<Loki>("loki/loki.yaml");
    expect(stackValue(collector.exporters["otlphttp/loki"]?.logs_endpoint)).toBe("http://loki:3100/otlp/v1/logs");
    expect(loki.server.http_listen_port).toBe(3100);
    expect(loki.auth_enabled).toBe(false);
    expect(loki.schema_config.configs.at(-1)).toMatchObject({ store: "tsdb", schema: "v13" });
    expect(stackFile("compose.yaml")).toContain(`loki-data:${loki.common.path_prefix}`);
  });

  test("Grafana's data source URLs are the compose services' ports", () => {
    const urls = Object.fromEntries(datasources().map((d) => [d.uid, (d as { url?: string }).url]));
    expect(urls).toEqual({
      prometheus: "http://prometheus:9090",
      loki: "http://loki:3100",
      tempo: "http://tempo:3200",
    });
  });
});
