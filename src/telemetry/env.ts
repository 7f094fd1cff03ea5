import { DiagLogLevel } from "@opentelemetry/api";

type Env = Record<string, string | undefined>;

/** The signals, with the infix their per-signal OTLP variables use (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL …). */
export const SIGNALS = { traces: "TRACES", metrics: "METRICS", logs: "LOGS" } as const;
export type Signal = keyof typeof SIGNALS;

export type Protocol = "http/protobuf" | "http/json";
export type ExporterName = "otlp" | "console";
export type SamplerName =
  | "always_on"
  | "always_off"
  | "traceidratio"
  | "parentbased_always_on"
  | "parentbased_always_off"
  | "parentbased_traceidratio";

/** One batch processor's settings (OTEL_BSP_* for spans, OTEL_BLRP_* for log records). */
export interface BatchSettings {
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
}

/** Attribute limits, span- or log-specific, falling back to the general OTEL_ATTRIBUTE_* ones. */
export interface Limits {
  attributeValueLengthLimit?: number;
  attributeCountLimit?: number;
}

/**
 * Everything the SDK environment-variable specification lets a user set for traces, metrics and logs
 * that the SDK constructors do not read themselves (the OTLP exporters read their endpoint, headers,
 * timeout, compression, certificates and temporality preference on their own). Defaults are the spec's.
 */
export interface OtelEnv {
  disabled: boolean;
  logLevel: DiagLogLevel;
  propagators: Array<"tracecontext" | "baggage">;
  sampler: SamplerName;
  samplerRatio: number;
  exporters: Record<Signal, ExporterName[]>;
  protocols: Record<Signal, Protocol>;
  bsp: BatchSettings;
  blrp: BatchSettings;
  metricExportIntervalMillis: number;
  metricExportTimeoutMillis: number;
  exponentialHistograms: boolean;
  spanLimits: Limits & {
    eventCountLimit?: number;
    linkCountLimit?: number;
    attributePerEventCountLimit?: number;
    attributePerLinkCountLimit?: number;
  };
  logRecordLimits: Limits;
}

const LOG_LEVELS: Record<string, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};
const SAMPLERS = new Set<string>([
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
]);

/** Variables of the spec this SDK cannot honour: set, they get one warning saying so. */
const UNSUPPORTED: Record<string, string> = {
  OTEL_METRICS_EXEMPLAR_FILTER: "the JavaScript metrics SDK records no exemplars",
  OTEL_CONFIG_FILE: "declarative configuration files are not read; use the OTEL_* variables",
};

/**
 * Reads the OTEL_* environment once. Every value that is set but not understood produces exactly one
 * `warn` naming the variable, the value and what is used instead; nothing here throws.
 */
export function readOtelEnv(env: Env, warn: (message: string) => void): OtelEnv {
  const raw = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const refuse = (name: string, value: string, instead: string) =>
    warn(`${name}=${value} is not supported; using ${instead}`);

  const int = (name: string, fallback: number, min = 0): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && n >= min) return n;
    refuse(name, value, String(fallback));
    return fallback;
  };
  const optionalInt = (name: string, fallback?: number): number | undefined => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && n >= 0) return n;
    refuse(name, value, fallback === undefined ? "no limit" : String(fallback));
    return fallback;
  };
  const choice = <T extends string>(name: string, allowed: Set<string>, fallback: T): T => {
    const value = raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (allowed.has(value)) return value as T;
    refuse(name, value, fallback);
    return fallback;
  };
  const list = <T extends string>(name: string, allowed: Set<string>, fallback: T[], none: T[] = []): T[] => {
    const value = raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    const items = value.split(",").map((v) => v.trim());
    if (items.includes("none")) return none;
    const known = items.filter((v) => allowed.has(v)) as T[];
    const unknown = items.filter((v) => !allowed.has(v));
    if (unknown.length > 0) refuse(name, unknown.join(","), known.length > 0 ? known.join(",") : fallback.join(","));
    return known.length > 0 ? [...new Set(known)] : fallback;
  };

  for (const [name, why] of Object.entries(UNSUPPORTED)) {
    const value = raw(name);
    if (value !== undefined) warn(`${name}=${value} is ignored: ${why}`);
  }

  const disabled = raw("OTEL_SDK_DISABLED")?.toLowerCase() === "true";
  const logLevel = LOG_LEVELS[choice("OTEL_LOG_LEVEL", new Set(Object.keys(LOG_LEVELS)), "info")] as DiagLogLevel;
  const sampler = choice<SamplerName>("OTEL_TRACES_SAMPLER", SAMPLERS, "parentbased_always_on");
  const ratioVar = raw("OTEL_TRACES_SAMPLER_ARG");
  let samplerRatio = 1;
  if (ratioVar !== undefined && sampler.endsWith("traceidratio")) {
    const n = Number(ratioVar);
    if (Number.isFinite(n) && n >= 0 && n <= 1) samplerRatio = n;
    else refuse("OTEL_TRACES_SAMPLER_ARG", ratioVar, "1");
  }

  const exporterNames = new Set(["otlp", "console"]);
  const protocols = new Set(["http/protobuf", "http/json"]);
  const generalProtocol = choice<Protocol>("OTEL_EXPORTER_OTLP_PROTOCOL", protocols, "http/protobuf");
  const perSignal = <T>(read: (signal: Signal, infix: string) => T): Record<Signal, T> => ({
    traces: read("traces", SIGNALS.traces),
    metrics: read("metrics", SIGNALS.metrics),
    logs: read("logs", SIGNALS.logs),
  });

  const batch = (prefix: "OTEL_BSP" | "OTEL_BLRP", delay: number): BatchSettings => {
    const maxQueueSize = int(`${prefix}_MAX_QUEUE_SIZE`, 2048, 1);
    let maxExportBatchSize = int(`${prefix}_MAX_EXPORT_BATCH_SIZE`, 512, 1);
    if (maxExportBatchSize > maxQueueSize) {
      // Only a batch size the user set is worth a warning; the default just follows a smaller queue.
      if (raw(`${prefix}_MAX_EXPORT_BATCH_SIZE`) !== undefined) {
        warn(`${prefix}_MAX_EXPORT_BATCH_SIZE=${maxExportBatchSize} exceeds the queue size; using ${maxQueueSize}`);
      }
      maxExportBatchSize = maxQueueSize;
    }
    return {
      scheduledDelayMillis: int(`${prefix}_SCHEDULE_DELAY`, delay),
      exportTimeoutMillis: int(`${prefix}_EXPORT_TIMEOUT`, 30_000),
      maxQueueSize,
      maxExportBatchSize,
    };
  };

  const attributeValueLength = optionalInt("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT");
  const attributeCount = optionalInt("OTEL_ATTRIBUTE_COUNT_LIMIT", 128);
  const metricExportIntervalMillis = int("OTEL_METRIC_EXPORT_INTERVAL", 60_000, 1);

  return {
    disabled,
    logLevel,
    propagators: list("OTEL_PROPAGATORS", new Set(["tracecontext", "baggage"]), ["tracecontext", "baggage"]),
    sampler,
    samplerRatio,
    exporters: perSignal((_, infix) => list(`OTEL_${infix}_EXPORTER`, exporterNames, ["otlp"])),
    protocols: perSignal((_, infix) =>
      choice<Protocol>(`OTEL_EXPORTER_OTLP_${infix}_PROTOCOL`, protocols, generalProtocol),
    ),
    bsp: batch("OTEL_BSP", 5000),
    blrp: batch("OTEL_BLRP", 1000),
    metricExportIntervalMillis,
    // The reader refuses a timeout longer than the interval.
    metricExportTimeoutMillis: Math.min(int("OTEL_METRIC_EXPORT_TIMEOUT", 30_000, 1), metricExportIntervalMillis),
    exponentialHistograms:
      choice<string>(
        "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION",
        new Set(["explicit_bucket_histogram", "base2_exponential_bucket_histogram"]),
        "explicit_bucket_histogram",
      ) === "base2_exponential_bucket_histogram",
    spanLimits: {
      attributeValueLengthLimit: optionalInt("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", attributeValueLength),
      attributeCountLimit: optionalInt("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", attributeCount),
      eventCountLimit: optionalInt("OTEL_SPAN_EVENT_COUNT_LIMIT", 128),
      linkCountLimit: optionalInt("OTEL_SPAN_LINK_COUNT_LIMIT", 128),
      attributePerEventCountLimit: optionalInt("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", 128),
      attributePerLinkCountLimit: optionalInt("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", 128),
    },
    logRecordLimits: {
      attributeValueLengthLimit: optionalInt("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", attributeValueLength),
      attributeCountLimit: optionalInt("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", attributeCount),
    },
  };
}
