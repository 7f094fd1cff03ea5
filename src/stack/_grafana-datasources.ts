/**
 * The data source provisioning keys Grafana 12.3 documents for the lab's three data source types, written down once
 * (Grafana's own types for them live in AGPL packages, so they are not imported). Every key is optional: Grafana
 * defaults what a file leaves out; an unknown or misplaced key is an excess property, so a type error.
 * Every `datasourceUid` must name a provisioned data source (Datasource's `Uid`).
 */

/**
 * The file and the keys every data source has:
 * https://grafana.com/docs/grafana/v12.3/administration/provisioning/#data-sources
 */
export interface DatasourcesFile {
  apiVersion: 1;
  deleteDatasources?: Array<{ name: string; orgId?: number }>;
  prune?: boolean;
  datasources: unknown[];
}

interface Common<U extends string> {
  name: string;
  uid?: U;
  access?: "proxy" | "direct";
  orgId?: number;
  url?: string;
  user?: string;
  database?: string;
  basicAuth?: boolean;
  basicAuthUser?: string;
  withCredentials?: boolean;
  isDefault?: boolean;
  version?: number;
  editable?: boolean;
  secureJsonData?: Record<string, string>;
}

/** HTTP settings every one of the three shares (same page, "jsonData"). */
interface HttpJsonData {
  timeout?: number;
  keepCookies?: string[];
  tlsAuth?: boolean;
  tlsAuthWithCACert?: boolean;
  tlsSkipVerify?: boolean;
  serverName?: string;
  oauthPassThru?: boolean;
}

/** https://grafana.com/docs/grafana/v12.3/datasources/prometheus/configure/#provision-the-prometheus-data-source */
interface PrometheusJsonData extends HttpJsonData {
  httpMethod?: "GET" | "POST";
  manageAlerts?: boolean;
  allowAsRecordingRulesTarget?: boolean;
  prometheusType?: "Prometheus" | "Cortex" | "Mimir" | "Thanos";
  prometheusVersion?: string;
  cacheLevel?: "Low" | "Medium" | "High" | "None";
  disableRecordingRules?: boolean;
  /** The scrape interval: the floor of `$__interval` and `$__rate_interval` */
  timeInterval?: string;
  queryTimeout?: string;
  defaultEditor?: "code" | "builder";
  disableMetricsLookup?: boolean;
  customQueryParameters?: string;
  incrementalQuerying?: boolean;
  incrementalQueryOverlapWindow?: string;
  seriesEndpoint?: boolean;
  /** Exemplars: the label holding the trace id, and where it opens (a data source, or an external URL) */
  exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid?: string; url?: string; urlDisplayLabel?: string }>;
}

/** https://grafana.com/docs/grafana/v12.3/datasources/loki/configure-loki-data-source/#provision-the-data-source */
interface LokiJsonData extends HttpJsonData {
  maxLines?: number;
  manageAlerts?: boolean;
  alertmanagerUid?: string;
  predefinedOperations?: string;
  /** A link from a log line: by regex on the line, or (`label`) from a label or structured metadata of that name */
  derivedFields?: Array<{
    name: string;
    matcherType?: "regex" | "label";
    matcherRegex: string;
    url?: string;
    urlDisplayLabel?: string;
    datasourceUid?: string;
    targetBlank?: boolean;
  }>;
}

/** Span attribute → label of the linked data source (`value` defaults to the attribute name). */
type Tags = Array<{ key: string; value?: string }>;

/**
 * https://grafana.com/docs/grafana/v12.3/datasources/tempo/configure-tempo-data-source/provision/ and the sections
 * it links to (trace to logs, trace to metrics, trace to profiles, additional settings). The Loki search tab and its
 * `lokiSearch` key were removed in Grafana 11 (grafana/grafana#84346), so it is not here.
 */
interface TempoJsonData extends HttpJsonData {
  tracesToLogsV2?: {
    datasourceUid?: string;
    spanStartTimeShift?: string;
    spanEndTimeShift?: string;
    tags?: Tags;
    filterByTraceID?: boolean;
    filterBySpanID?: boolean;
    customQuery?: boolean;
    query?: string;
  };
  tracesToMetrics?: {
    datasourceUid?: string;
    spanStartTimeShift?: string;
    spanEndTimeShift?: string;
    tags?: Tags;
    queries?: Array<{ name: string; query: string }>;
  };
  tracesToProfiles?: {
    datasourceUid?: string;
    tags?: Tags;
    profileTypeId?: string;
    customQuery?: boolean;
    query?: string;
  };
  serviceMap?: { datasourceUid?: string };
  nodeGraph?: { enabled?: boolean };
  search?: { hide?: boolean };
  traceQuery?: { timeShiftEnabled?: boolean; spanStartTimeShift?: string; spanEndTimeShift?: string };
  spanBar?: { type?: "None" | "Duration" | "Tag"; tag?: string };
  streamingEnabled?: { search?: boolean; metrics?: boolean };
  tagLimit?: number;
}

interface JsonDataByType {
  prometheus: PrometheusJsonData;
  loki: LokiJsonData;
  tempo: TempoJsonData;
}

/** Replaces every `datasourceUid: string` with the provisioned uids. */
type WithUids<T, Uid extends string> =
  T extends Array<infer E>
    ? WithUids<E, Uid>[]
    : T extends object
      ? { [K in keyof T]: K extends "datasourceUid" ? Uid : WithUids<T[K], Uid> }
      : T;

/** One data source of type `T`, naming only provisioned uids `Uid`. */
export type Datasource<T extends keyof JsonDataByType, Uid extends string> = Common<Uid> & {
  type: T;
  jsonData?: WithUids<JsonDataByType[T], Uid>;
};

/** The jsonData of a data source type, as the rest of the code reads it. */
export type JsonData<T extends keyof JsonDataByType> = JsonDataByType[T];
