/**
 * Every query the provisioned Grafana runs, pulled out of the embedded stack files so that tests can check them:
 * dashboard panels (PromQL, LogQL, TraceQL), dashboard variables, and the Tempo data source's trace → metrics
 * and trace → logs templates.
 */
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

interface TempoJsonData {
  tracesToMetrics?: { tags?: Array<{ key: string; value?: string }>; queries?: Array<{ name: string; query: string }> };
  tracesToLogsV2?: { query?: string };
}
interface DatasourceFile {
  datasources: Array<{ uid: string; type: string; jsonData?: TempoJsonData & Record<string, unknown> }>;
}

/** The provisioned data sources, with Grafana's `$$` (a literal `$`) already undone. */
export function datasources(): DatasourceFile["datasources"] {
  const text = stackFile(DATASOURCES).replaceAll("$$", "$");
  return (Bun.YAML.parse(text) as DatasourceFile).datasources;
}

function tempoJson(): TempoJsonData {
  return datasources().find((d) => d.type === "tempo")?.jsonData ?? {};
}

/** Tempo's trace → metrics queries (with `$__tags` still in them) and the labels `$__tags` stands for. */
export function tracesToMetrics(): { queries: SourcedQuery[]; tagLabels: string[] } {
  const t2m = tempoJson().tracesToMetrics ?? {};
  return {
    queries: (t2m.queries ?? []).map((q) => ({ source: `Tempo trace → metrics › ${q.name}`, expr: q.query })),
    tagLabels: (t2m.tags ?? []).map((t) => t.value || t.key),
  };
}

/** Tempo's trace → logs LogQL template. */
export function tracesToLogsQuery(): string {
  return tempoJson().tracesToLogsV2?.query ?? "";
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
