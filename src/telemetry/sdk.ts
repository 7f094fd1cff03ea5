import {
  context,
  type DiagLogger,
  diag,
  logs,
  metrics,
  propagation,
  type TextMapPropagator,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, SDK_INFO, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { type Resource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchLogRecordProcessor,
  ConsoleLogRecordExporter,
  LoggerProvider,
  type LogRecordExporter,
} from "@opentelemetry/sdk-logs";
import {
  AggregationType,
  ConsoleMetricExporter,
  InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from "@opentelemetry/sdk-metrics";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import {
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  ATTR_SERVICE_VERSION,
} from "@opentelemetry/semantic-conventions";
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_PROCESS_RUNTIME_NAME,
  ATTR_PROCESS_RUNTIME_VERSION,
} from "@opentelemetry/semantic-conventions/incubating";
import type { RoleName } from "../roles.ts";
import { VERSION } from "../version.ts";
import { type OtelEnv, readOtelEnv } from "./env.ts";
import { watchExports } from "./export-health.ts";

/** What `serve` holds on to: flush on shutdown, and whether anything is being recorded at all. */
export interface Telemetry {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/**
 * OTEL_RESOURCE_ATTRIBUTES as the resource spec reads it: comma-separated key=value, values percent-decoded;
 * any malformed entry discards the whole variable, with one warning.
 */
function resourceAttributesFromEnv(value: string | undefined, warn: (message: string) => void): Record<string, string> {
  if (!value?.trim()) return {};
  const attributes: Record<string, string> = {};
  try {
    for (const pair of value.split(",")) {
      const at = pair.indexOf("=");
      const key = pair.slice(0, at).trim();
      if (at < 1 || !key) throw new Error(`"${pair}" is not key=value`);
      attributes[key] = decodeURIComponent(pair.slice(at + 1).trim());
    }
  } catch (error) {
    warn(`OTEL_RESOURCE_ATTRIBUTES is ignored: ${(error as Error).message}`);
    return {};
  }
  return attributes;
}

/**
 * The resource, in the resource spec's order of precedence (each layer wins over the ones before it): the
 * role as the default service.name; OTEL_RESOURCE_ATTRIBUTES; OTEL_SERVICE_NAME; then what this code sets,
 * which the spec makes the primary source: service.namespace/version/instance.id, the lab's
 * deployment.environment.name, the runtime and the SDK's own telemetry.sdk.* attributes.
 */
export function labResource(role: RoleName, env: Env = process.env, warn: (m: string) => void = diag.warn): Resource {
  const name = env.OTEL_SERVICE_NAME?.trim();
  return resourceFromAttributes({
    [ATTR_SERVICE_NAME]: role,
    ...resourceAttributesFromEnv(env.OTEL_RESOURCE_ATTRIBUTES, warn),
    ...(name ? { [ATTR_SERVICE_NAME]: name } : {}),
    [ATTR_SERVICE_NAMESPACE]: "o11y-lab",
    [ATTR_SERVICE_VERSION]: VERSION,
    [ATTR_SERVICE_INSTANCE_ID]: crypto.randomUUID(),
    [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: "lab",
    ...SDK_INFO,
    // SDK_INFO says "node": this runs on Bun.
    [ATTR_PROCESS_RUNTIME_NAME]: "bun",
    [ATTR_PROCESS_RUNTIME_VERSION]: Bun.version,
  });
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, as the specification names them. */
function samplerOf(config: OtelEnv): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratio;
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio });
  }
}

/** OTEL_PROPAGATORS: W3C trace context and baggage are the two this lab ships ("none" is an empty list). */
export function propagatorOf(config: OtelEnv): TextMapPropagator {
  const known = { tracecontext: new W3CTraceContextPropagator(), baggage: new W3CBaggagePropagator() };
  return new CompositePropagator({ propagators: config.propagators.map((p) => known[p]) });
}

// The OTLP exporters get no options that would shadow the environment: they read OTEL_EXPORTER_OTLP_[SIGNAL_]
// ENDPOINT, HEADERS, TIMEOUT, COMPRESSION, CERTIFICATE, CLIENT_KEY and CLIENT_CERTIFICATE themselves.
function spanExporters(config: OtelEnv): SpanExporter[] {
  return config.exporters.traces.map((name) =>
    name === "console"
      ? new ConsoleSpanExporter()
      : config.protocols.traces === "http/json"
        ? new JsonTraceExporter()
        : new ProtoTraceExporter(),
  );
}

function metricExporters(config: OtelEnv): PushMetricExporter[] {
  const options = config.exponentialHistograms
    ? {
        aggregationPreference: (kind: InstrumentType) =>
          kind === InstrumentType.HISTOGRAM
            ? { type: AggregationType.EXPONENTIAL_HISTOGRAM as const }
            : { type: AggregationType.DEFAULT as const },
      }
    : {};
  return config.exporters.metrics.map((name) =>
    name === "console"
      ? new ConsoleMetricExporter()
      : config.protocols.metrics === "http/json"
        ? new JsonMetricExporter(options)
        : new ProtoMetricExporter(options),
  );
}

function logExporters(config: OtelEnv): LogRecordExporter[] {
  return config.exporters.logs.map((name) =>
    name === "console"
      ? new ConsoleLogRecordExporter()
      : config.protocols.logs === "http/json"
        ? new JsonLogExporter()
        : new ProtoLogExporter(),
  );
}

/** The three SDK providers for one role, built from the environment but not registered anywhere. */
export interface Providers {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  loggerProvider: LoggerProvider;
}

/** Builds the providers as the OTEL_* environment (read into `config`) says. */
export function createProviders(role: RoleName, config: OtelEnv, env: Env): Providers {
  const resource = labResource(role, env);
  return {
    tracerProvider: new TracerProvider({
      resource,
      sampler: samplerOf(config),
      spanLimits: config.spanLimits,
      spanProcessors: spanExporters(config).map(
        (exporter) => new BatchSpanProcessor({ exporter: watchExports("traces", exporter), ...config.bsp }),
      ),
    }),
    meterProvider: new MeterProvider({
      resource,
      readers: metricExporters(config).map(
        (exporter) =>
          new PeriodicExportingMetricReader({
            exporter: watchExports("metrics", exporter),
            exportIntervalMillis: config.metricExportIntervalMillis,
            exportTimeoutMillis: config.metricExportTimeoutMillis,
          }),
      ),
    }),
    loggerProvider: new LoggerProvider({
      resource,
      logRecordLimits: config.logRecordLimits,
      processors: logExporters(config).map(
        (exporter) => new BatchLogRecordProcessor({ exporter: watchExports("logs", exporter), ...config.blrp }),
      ),
    }),
  };
}

/**
 * Starts the three SDK providers for one role and registers them globally, so the API calls in services/
 * and the wrappers in src/telemetry record into them. The diag logger goes first, at OTEL_LOG_LEVEL, so
 * that a value not understood and every failed export is said (on stderr). Exports run in the background:
 * a missing collector drops telemetry, it never stops or slows a service.
 */
export function startTelemetry(role: RoleName, diagLogger: DiagLogger, env: Env = process.env): Telemetry {
  const warnings: string[] = [];
  const config = readOtelEnv(env, (m) => warnings.push(m));
  diag.setLogger(diagLogger, { logLevel: config.logLevel, suppressOverrideMessage: true });
  for (const warning of warnings) diag.warn(warning);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(propagatorOf(config));
  if (config.disabled) return { enabled: false, shutdown: async () => {} };
  const { tracerProvider, meterProvider, loggerProvider } = createProviders(role, config, env);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  logs.setGlobalLoggerProvider(loggerProvider);
  return {
    enabled: true,
    async shutdown() {
      const results = await Promise.allSettled([
        tracerProvider.shutdown(),
        meterProvider.shutdown(),
        loggerProvider.shutdown(),
      ]);
      for (const r of results) if (r.status === "rejected") diag.warn("telemetry shutdown", r.reason);
    },
  };
}
