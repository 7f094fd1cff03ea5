/**
 * Every query the provisioned Grafana runs, pulled out of the embedded stack files so that tests can check them:
 * dashboard panels (PromQL, LogQL, TraceQL), dashboard variables, and the data sources' links: exemplars → trace,
 * logs → trace, trace → logs and trace → metrics.
 */
import type { JsonData } from "./_grafana-datasources.ts";
import { STACK_FILES, stackFile } from "./assets.ts";

export const DASHBOARD_DIR = "grafana/provisioning/dashboards/o11y-lab/";
export const DATASOURCES = "grafana/provisioning/datasources/datasources.yaml";

export interface DatasourceRef {
  type?: string;
  uid?: string;
}
export interface Target {
  refId?: string;
  datasource?: DatasourceRef;
  expr?: string;
  query?: string | { query?: string };
  queryType?: string;
  exemplar?: boolean;
}
export interface Panel {
  id?: number;
  type?: string;
  title?: string;
  description?: string;
  datasource?: DatasourceRef;
  gridPos?: { h: number; w: number; x: number; y: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
  panels?: Panel[];
}
export interface Variable {
  name: string;
  type: string;
  datasource?: DatasourceRef;
  definition?: string;
  query?: string | { query?: string };
  regex?: string;
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: Variable[] };
}

/** A query and where it came from, for test names and failure messages. */
export interface SourcedQuery {
  readonly source: string;
  readonly expr: string;
  /** The panel's unit, for panel queries */
  readonly unit?: string;
  /** Whether the panel shows this query's exemplars (links to traces) */
  readonly exemplar?: boolean;
}

/** The provisioned dashboards: file name → parsed JSON. */
export function dashboards(): Map<string, Dashboard> {
  return new Map(
    [...STACK_FILES]
      .filter(([path]) => path.startsWith(DASHBOARD_DIR) && path.endsWith(".json"))
      .map(([path, text]) => [path.slice(DASHBOARD_DIR.length), JSON.parse(text) as Dashboard]),
  );
}

/** Every panel of a dashboard, rows' nested panels included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

function targetsOf(type: string): Array<SourcedQuery & { panel: Panel }> {
  return [...dashboards()].flatMap(([file, d]) =>
    allPanels(d).flatMap((panel) =>
      (panel.targets ?? [])
        .filter((t) => (t.datasource?.type ?? panel.datasource?.type) === type)
        .map((t) => ({
          source: `${file} › ${panel.title} › ${t.refId}`,
          expr: (type === "tempo" ? (typeof t.query === "string" ? t.query : "") : t.expr) ?? "",
          ...(panel.fieldConfig?.defaults?.unit ? { unit: panel.fieldConfig.defaults.unit } : {}),
          ...(t.exemplar ? { exemplar: true } : {}),
          panel,
        })),
    ),
  );
}

/** PromQL of every Prometheus panel target. */
export function panelPromQL(): SourcedQuery[] {
  return targetsOf("prometheus").map(({ panel: _, ...q }) => q);
}

/** LogQL of every Loki panel target. */
export function panelLogQL(): SourcedQuery[] {
  return targetsOf("loki").map(({ panel: _, ...q }) => q);
}

/** TraceQL of every Tempo search panel (service-map targets have no query). */
export function panelTraceQL(): SourcedQuery[] {
  return targetsOf("tempo")
    .filter((q) => q.expr)
    .map(({ panel: _, ...q }) => q);
}

/**
 * Prometheus query variables as PromQL: `label_values(m{…}, l)` becomes `group by (l) (m{…})`, which returns a
 * series per value the variable would offer.
 */
export function variablePromQL(): SourcedQuery[] {
  return [...dashboards()].flatMap(([file, d]) =>
    (d.templating?.list ?? [])
      .filter((v) => v.type === "query" && v.datasource?.type === "prometheus")
      .map((v) => {
        const raw = typeof v.query === "string" ? v.query : (v.query?.query ?? v.definition ?? "");
        const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(raw.trim());
        if (!m) throw new Error(`${file} variable ${v.name}: only label_values(metric, label) is supported: ${raw}`);
        return { source: `${file} › $${v.name}`, expr: `group by (${m[2]}) (${m[1]})` };
      }),
  );
}

/** A provisioned data source; read its jsonData typed through jsonData(). */
export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url?: string;
  isDefault?: boolean;
  jsonData?: Record<string, unknown>;
}

/** The provisioned data sources, with Grafana's `$$` (a literal `$`) already undone. */
export function datasources(): ProvisionedDatasource[] {
  const text = stackFile(DATASOURCES).replaceAll("$$", "$");
  return (Bun.YAML.parse(text) as { datasources: ProvisionedDatasource[] }).datasources;
}

/** The jsonData of the data source of a type, as _grafana-datasources.ts describes it (the test checks the file). */
export function jsonData<T extends "prometheus" | "loki" | "tempo">(type: T): JsonData<T> {
  return (datasources().find((d) => d.type === type)?.jsonData ?? {}) as JsonData<T>;
}

/** Tempo's trace → metrics queries (with `$__tags` still in them) and the labels `$__tags` stands for. */
export function tracesToMetrics(): { queries: SourcedQuery[]; tagLabels: string[] } {
  const t2m = jsonData("tempo").tracesToMetrics ?? {};
  return {
    queries: (t2m.queries ?? []).map((q) => ({ source: `Tempo trace → metrics › ${q.name}`, expr: q.query })),
    tagLabels: (t2m.tags ?? []).map((t) => t.value || t.key),
  };
}

/** Tempo's trace → logs LogQL template. */
export function tracesToLogsQuery(): string {
  return jsonData("tempo").tracesToLogsV2?.query ?? "";
}

/** Prometheus' exemplar links: the label holding the trace id, and the data source it opens. */
export function exemplarDestinations(): NonNullable<JsonData<"prometheus">["exemplarTraceIdDestinations"]> {
  return jsonData("prometheus").exemplarTraceIdDestinations ?? [];
}

/** Loki's derived fields: the links from a log line to its trace. */
export function derivedFields(): NonNullable<JsonData<"loki">["derivedFields"]> {
  return jsonData("loki").derivedFields ?? [];
}

/**
 * Each jsonData key that links one signal to another, with the function above through which the e2e suite runs it
 * against the real peers (the unit test holds this list to the provisioning file and to the e2e files).
 */
export const LINKS: Readonly<Record<string, { readonly via: string; readonly runBy: string }>> = {
  "prometheus.exemplarTraceIdDestinations": { via: "exemplarDestinations", runBy: "test/e2e/dashboards.test.ts" },
  "loki.derivedFields": { via: "derivedFields", runBy: "test/e2e/logql.test.ts" },
  "tempo.tracesToLogsV2": { via: "tracesToLogsQuery", runBy: "test/e2e/logql.test.ts" },
  "tempo.tracesToMetrics": { via: "tracesToMetrics", runBy: "test/e2e/dashboards.test.ts" },
};

/** The links no test runs, and why. */
export const UNRUN_LINKS: Readonly<Record<string, string>> = {
  "tempo.serviceMap": "Grafana queries the service graph Tempo's metrics-generator writes, and no Tempo runs here",
};

/** `type.key` of every jsonData key that points at another data source or a URL: every link the file makes. */
export function linkKeys(): string[] {
  const links = (v: unknown): boolean =>
    Array.isArray(v)
      ? v.some(links)
      : v !== null && typeof v === "object"
        ? Object.entries(v).some(([k, x]) => k === "datasourceUid" || k === "url" || links(x))
        : false;
  return datasources().flatMap((d) =>
    Object.entries(d.jsonData ?? {})
      .filter(([, v]) => links(v))
      .map(([k]) => `${d.type}.${k}`),
  );
}

/** Values for Grafana's variables in a query. */
export interface Substitutions {
  readonly service?: string;
  /** For `$__tags`: label → value */
  readonly tags?: Readonly<Record<string, string>>;
  readonly rateInterval?: string;
}

/** Whether a query depends on the Service Performance dashboard's `service` variable. */
export function usesService(expr: string): boolean {
  return /\$\{?service\b/.test(expr);
}

/** Replaces Grafana's variables the lab's queries use; throws on any left over, so none slips through. */
export function substitute(expr: string, s: Substitutions = {}): string {
  const interval = s.rateInterval ?? "1m";
  let out = expr
    .replaceAll("$__rate_interval", interval)
    .replaceAll("$__interval", interval)
    .replaceAll(
      "$__tags",
      Object.entries(s.tags ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join(","),
    );
  if (s.service) out = out.replace(/\$\{service\}|\$service\b/g, s.service);
  const left = /\$\{?[a-zA-Z_]\w*/.exec(out);
  if (left) throw new Error(`no value for ${left[0]} in ${expr}`);
  return out;
}

/** Metric names a PromQL expression reads (identifiers directly before `{` or `[`). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)) names.add(m[1] ?? "");
  return [...names].filter((n) => !KEYWORDS.has(n));
}

const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "sum", "rate", "count"]);

/** What Grafana knows of a span when it fills a trace → logs template. */
export interface SpanForTemplate {
  readonly traceId: string;
  readonly spanId: string;
  /** The span's tags: its resource and span attributes. */
  readonly tags: Readonly<Record<string, unknown>>;
}

/** A Tempo data link template (`${__span.traceId}`, `${__span.tags["service.name"]}`, …) filled for one span. */
export function fillSpanTemplate(template: string, span: SpanForTemplate): string {
  return template
    .replace(/\$\{__span\.tags\["([^"]+)"\]\}/g, (_m, tag: string) => String(span.tags[tag] ?? ""))
    .replace(/\$\{__span\.tags\.([\w.]+)\}/g, (_m, tag: string) => String(span.tags[tag] ?? ""))
    .replace(/\$\{__span\.traceId\}/g, span.traceId)
    .replace(/\$\{__span\.spanId\}/g, span.spanId);
}
