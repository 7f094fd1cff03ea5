/**
 * The dashboard JSON Grafana 12.3 reads, as types from its published schema (@grafana/schema 12.3.1, the version
 * compose pins). The generated modules of grafana-typecheck.ts are checked against these, so an unknown key, a value of
 * the wrong kind or an unprovisioned data source uid is a type error at its own line.
 */
import type * as common from "@grafana/schema";
import type * as annolist from "@grafana/schema/dist/types/raw/composable/annotationslist/panelcfg/x/AnnotationsListPanelCfg_types.gen.d.ts";
import type * as barchart from "@grafana/schema/dist/types/raw/composable/barchart/panelcfg/x/BarChartPanelCfg_types.gen.d.ts";
import type * as bargauge from "@grafana/schema/dist/types/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen.d.ts";
import type * as dashlist from "@grafana/schema/dist/types/raw/composable/dashboardlist/panelcfg/x/DashboardListPanelCfg_types.gen.d.ts";
import type * as gauge from "@grafana/schema/dist/types/raw/composable/gauge/panelcfg/x/GaugePanelCfg_types.gen.d.ts";
import type * as heatmap from "@grafana/schema/dist/types/raw/composable/heatmap/panelcfg/x/HeatmapPanelCfg_types.gen.d.ts";
import type * as histogram from "@grafana/schema/dist/types/raw/composable/histogram/panelcfg/x/HistogramPanelCfg_types.gen.d.ts";
import type * as logs from "@grafana/schema/dist/types/raw/composable/logs/panelcfg/x/LogsPanelCfg_types.gen.d.ts";
import type * as loki from "@grafana/schema/dist/types/raw/composable/loki/dataquery/x/LokiDataQuery_types.gen.d.ts";
import type * as nodegraph from "@grafana/schema/dist/types/raw/composable/nodegraph/panelcfg/x/NodeGraphPanelCfg_types.gen.d.ts";
import type * as piechart from "@grafana/schema/dist/types/raw/composable/piechart/panelcfg/x/PieChartPanelCfg_types.gen.d.ts";
import type * as stat from "@grafana/schema/dist/types/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen.d.ts";
import type * as statetimeline from "@grafana/schema/dist/types/raw/composable/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen.d.ts";
import type * as statushistory from "@grafana/schema/dist/types/raw/composable/statushistory/panelcfg/x/StatusHistoryPanelCfg_types.gen.d.ts";
import type * as table from "@grafana/schema/dist/types/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen.d.ts";
import type * as tempo from "@grafana/schema/dist/types/raw/composable/tempo/dataquery/x/TempoDataQuery_types.gen.d.ts";
import type * as text from "@grafana/schema/dist/types/raw/composable/text/panelcfg/x/TextPanelCfg_types.gen.d.ts";
import type * as timeseries from "@grafana/schema/dist/types/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen.d.ts";
import type * as raw from "@grafana/schema/dist/types/raw/dashboard/x/dashboard_types.gen.d.ts";

/**
 * A type as JSON holds it: enums become their values, and every field is optional, because Grafana fills whatever a
 * panel leaves out from the plugin's defaults. No index signature is added, so unknown keys stay errors.
 */
export type Json<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends ReadonlyArray<infer U>
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T]?: Json<T[K]> }
        : T;

/** A reference to a data source: `P` is the union of the provisioned `{ type, uid }` pairs. */
export type Ref = { type: string; uid: string };

/** Grafana's own data source, which serves the built-in annotations (tags posted by `k6` and `chaos`). */
type GrafanaRef = { type: "grafana"; uid: "-- Grafana --" };

type FieldDefaults<Custom> = Json<Omit<raw.FieldConfig, "custom">> & { custom?: Json<Custom> };

/** An override property: `id` names a field config key, `custom.<key>` for the panel's own ones. */
type OverrideProperty<Custom> =
  | { [K in keyof FieldDefaults<Custom>]-?: { id: K; value?: FieldDefaults<Custom>[K] } }[Exclude<
      keyof FieldDefaults<Custom>,
      "custom"
    >]
  | { [K in keyof Custom & string]-?: { id: `custom.${K}`; value?: Json<Custom[K]> } }[keyof Custom & string];

type FieldConfigSource<Custom> = {
  defaults?: FieldDefaults<Custom>;
  overrides?: Array<{ matcher: Json<raw.MatcherConfig>; properties: OverrideProperty<Custom>[] }>;
};

/** No custom field config: the panel has none in its schema. */
type None = Record<never, never>;

/** Each panel plugin of Grafana 12.3 with a published schema: id → its options and its custom field config. */
interface PanelPlugins {
  annolist: [annolist.Options, None];
  barchart: [barchart.Options, barchart.FieldConfig];
  bargauge: [bargauge.Options, None];
  dashlist: [dashlist.Options, None];
  gauge: [gauge.Options, None];
  heatmap: [heatmap.Options, heatmap.FieldConfig];
  histogram: [histogram.Options, histogram.FieldConfig];
  logs: [logs.Options, None];
  nodeGraph: [nodegraph.Options, None];
  piechart: [piechart.Options, piechart.FieldConfig];
  stat: [stat.Options, None];
  "state-timeline": [statetimeline.Options, statetimeline.FieldConfig];
  "status-history": [statushistory.Options, statushistory.FieldConfig];
  table: [table.Options, table.FieldConfig];
  text: [text.Options, None];
  timeseries: [timeseries.Options, timeseries.FieldConfig];
}

/** A panel of plugin `T`; its targets are checked one by one against `Query`. */
export type Panel<T extends keyof PanelPlugins, P extends Ref> = Json<
  Omit<raw.Panel, "type" | "datasource" | "options" | "fieldConfig" | "targets">
> & {
  type: T;
  datasource?: P;
  options?: Json<PanelPlugins[T][0]>;
  fieldConfig?: FieldConfigSource<PanelPlugins[T][1]>;
  targets?: unknown[];
};

/** A row; the panels it holds when collapsed are checked one by one like top-level ones. */
export type Row<P extends Ref> = Json<Omit<raw.RowPanel, "datasource" | "panels">> & {
  datasource?: P;
  panels?: unknown[];
};

/**
 * Prometheus' query model: not in @grafana/schema 12.3 (it lives in the AGPL @grafana/prometheus), so written down
 * from the query editor's documented options: https://grafana.com/docs/grafana/v12.3/datasources/prometheus/query-editor/
 * (legend, min step, format, type, exemplars).
 */
interface PrometheusQuery extends common.DataQuery {
  expr: string;
  legendFormat?: string;
  /** Min step */
  interval?: string;
  format?: "time_series" | "table" | "heatmap";
  /** Type: range, instant, or both */
  range?: boolean;
  instant?: boolean;
  exemplar?: boolean;
  editorMode?: "code" | "builder";
}

/** Each data source type's query model; `queryType` narrowed to the values each schema's enum lists. */
interface QueryModels {
  prometheus: PrometheusQuery;
  loki: Omit<loki.LokiDataQuery, "queryType"> & { queryType?: loki.LokiQueryType };
  tempo: Omit<tempo.TempoQuery, "queryType"> & { queryType?: tempo.TempoQueryType };
}

/** A target of a data source of type `D`, naming a provisioned data source of that type. */
export type Query<D extends keyof QueryModels, P extends Ref> = Json<Omit<QueryModels[D], "datasource">> & {
  datasource?: Extract<P, { type: D }>;
};

/**
 * A template variable. `definition` is what the query editor shows; the v1 schema lacks it but Grafana writes and
 * reads it (the v2beta1 schema's QueryVariableSpec has it).
 */
export type Variable<P extends Ref> = Json<Omit<common.VariableModel, "datasource">> & {
  datasource?: P;
  definition?: string;
};

export type Annotation<P extends Ref> = Json<Omit<raw.AnnotationQuery, "datasource">> & { datasource?: P | GrafanaRef };

/** A whole dashboard; panels, variables and annotations are checked each on its own (see Panel, Variable). */
export type Dashboard<P extends Ref> = Json<Omit<raw.Dashboard, "panels" | "templating" | "annotations">> & {
  panels?: unknown[];
  templating?: { list?: Variable<P>[] };
  annotations?: { list?: Annotation<P>[] };
};

export type PanelType = keyof PanelPlugins;
export type QueryType = keyof QueryModels;
