/**
 * What Loki makes of an OTLP log record, written down once so that the lab's LogQL can be checked against the records
 * the collector really exports without running Loki (AGPL, never built here).
 *
 * Loki's documented default OTLP mapping ("Format considerations" in
 * https://grafana.com/docs/loki/latest/send-data/otel/):
 * - index labels: the resource attributes of `default_resource_attributes_as_index_labels` (the list below);
 * - structured metadata: every other resource attribute, the scope's name, version and attributes, the record's
 *   attributes, and its trace_id, span_id, severity_text, severity_number and flags (when set);
 * - the log line is the record's body; names become label names with every character outside [a-zA-Z0-9_] as `_`
 *   (`service.name` → `service_name`).
 * On top of that, the stack's own stack/loki/loki.yaml `limits_config.otlp_config` actions are applied, as Loki does.
 */
import { stackFile } from "./assets.ts";

/** `default_resource_attributes_as_index_labels`, as the Loki docs list it. */
export const DEFAULT_INDEX_LABEL_ATTRIBUTES = [
  "cloud.availability_zone",
  "cloud.region",
  "container.name",
  "deployment.environment",
  "k8s.cluster.name",
  "k8s.container.name",
  "k8s.cronjob.name",
  "k8s.daemonset.name",
  "k8s.deployment.name",
  "k8s.job.name",
  "k8s.namespace.name",
  "k8s.pod.name",
  "k8s.replicaset.name",
  "k8s.statefulset.name",
  "service.instance.id",
  "service.name",
  "service.namespace",
] as const;

/** A log record as the collector exports it: resource and record attributes already flattened to values. */
export interface OtlpLogView {
  readonly resource: Readonly<Record<string, unknown>>;
  readonly scope: { readonly name?: string; readonly version?: string };
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly record: {
    readonly traceId?: string;
    readonly spanId?: string;
    readonly severityText?: string;
    readonly severityNumber?: number;
    readonly flags?: number;
    readonly body?: { readonly stringValue?: string };
  };
}

/** One entry as Loki stores it: stream (index) labels, structured metadata and the line. */
export interface LokiEntry {
  readonly labels: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly line: string;
}

type Action = "index_label" | "structured_metadata" | "drop";
interface AttributesConfig {
  action: Action;
  attributes?: string[];
  regex?: string;
}
interface OtlpConfig {
  resource_attributes?: { ignore_defaults?: boolean; attributes_config?: AttributesConfig[] };
  scope_attributes?: AttributesConfig[];
  log_attributes?: AttributesConfig[];
}

/** Loki's label name for an attribute name. */
export function lokiName(attribute: string): string {
  return attribute.replace(/[^a-zA-Z0-9_]/g, "_");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The action of the first config naming (or matching) `attribute`, as Loki applies them in order. */
function configured(configs: AttributesConfig[] | undefined, attribute: string): Action | undefined {
  return configs?.find(
    (c) =>
      c.attributes?.includes(attribute) || (c.regex !== undefined && new RegExp(`^(?:${c.regex})$`).test(attribute)),
  )?.action;
}

let stackConfig: OtlpConfig | undefined;
/** The otlp_config of the stack's loki.yaml. */
function otlpConfig(): OtlpConfig {
  stackConfig ??=
    (Bun.YAML.parse(stackFile("loki/loki.yaml")) as { limits_config?: { otlp_config?: OtlpConfig } }).limits_config
      ?.otlp_config ?? {};
  return stackConfig;
}

/** The entry Loki stores for one exported record, with the stack's Loki config. */
export function lokiEntry(log: OtlpLogView): LokiEntry {
  const config = otlpConfig();
  const labels: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  const defaults: readonly string[] = config.resource_attributes?.ignore_defaults ? [] : DEFAULT_INDEX_LABEL_ATTRIBUTES;
  const place = (action: Action | undefined, name: string, value: unknown) => {
    if (value === undefined || value === "" || action === "drop") return;
    (action === "index_label" ? labels : metadata)[lokiName(name)] = text(value);
  };
  for (const [name, value] of Object.entries(log.resource)) {
    const action = configured(config.resource_attributes?.attributes_config, name);
    place(action ?? (defaults.includes(name) ? "index_label" : "structured_metadata"), name, value);
  }
  // Only resource attributes can become index labels; scope and record attributes are metadata at most.
  const notIndex = (action: Action | undefined) => (action === "drop" ? "drop" : "structured_metadata");
  place("structured_metadata", "scope_name", log.scope.name);
  place("structured_metadata", "scope_version", log.scope.version);
  for (const [name, value] of Object.entries(log.attributes)) {
    place(notIndex(configured(config.log_attributes, name)), name, value);
  }
  const { record } = log;
  place("structured_metadata", "trace_id", record.traceId);
  place("structured_metadata", "span_id", record.spanId);
  place("structured_metadata", "severity_text", record.severityText);
  place("structured_metadata", "severity_number", record.severityNumber || undefined);
  place("structured_metadata", "flags", record.flags || undefined);
  return { labels, metadata, line: record.body?.stringValue ?? text(record.body ?? "") };
}
