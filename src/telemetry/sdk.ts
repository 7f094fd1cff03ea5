import { context, diag, logs, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { envDetector, type Resource, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { RoleName } from "../roles.ts";
import { VERSION } from "../version.ts";

/** What `serve` holds on to: flush on shutdown, and whether anything is being recorded at all. */
export interface Telemetry {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/** Resource: service.name = role, plus OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES from the environment. */
export function labResource(role: RoleName, env: Env = process.env): Resource {
  const base = resourceFromAttributes({
    "service.name": role,
    "service.namespace": "o11y-lab",
    "service.version": VERSION,
    "service.instance.id": crypto.randomUUID(),
    "deployment.environment.name": "lab",
    "telemetry.sdk.language": "nodejs",
    "telemetry.sdk.name": "opentelemetry",
    "process.runtime.name": "bun",
    "process.runtime.version": Bun.version,
  });
  const fromEnv = envDetector.detect();
  const merged = base.merge(resourceFromAttributes(fromEnv.attributes ?? {}));
  const name = env.OTEL_SERVICE_NAME;
  return name ? merged.merge(resourceFromAttributes({ "service.name": name })) : merged;
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, as the specification names them. */
export function samplerFromEnv(env: Env = process.env): Sampler {
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? "1");
  const safeRatio = Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
  switch (env.OTEL_TRACES_SAMPLER) {
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(safeRatio);
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(safeRatio) });
    case "always_on":
      return new AlwaysOnSampler();
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * Starts the three SDK providers for one role and registers them globally, so the API calls in
 * services/ and the wrappers in src/telemetry record into them. Queues are bounded and exports
 * time out quickly: a missing collector drops telemetry, it never stops or slows a service.
 */
export function startTelemetry(role: RoleName, env: Env = process.env): Telemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === "true") {
    return { enabled: false, shutdown: async () => {} };
  }
  const resource = labResource(role, env);
  const timeoutMillis = positiveInt(env.OTEL_EXPORTER_OTLP_TIMEOUT, 5000);

  const tracerProvider = new TracerProvider({
    resource,
    sampler: samplerFromEnv(env),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ timeoutMillis }),
        maxQueueSize: positiveInt(env.OTEL_BSP_MAX_QUEUE_SIZE, 2048),
        scheduledDelayMillis: positiveInt(env.OTEL_BSP_SCHEDULE_DELAY, 1000),
        exportTimeoutMillis: timeoutMillis,
      }),
    ],
  });
  trace.setGlobalTracerProvider(tracerProvider);

  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ timeoutMillis }),
        exportIntervalMillis: positiveInt(env.OTEL_METRIC_EXPORT_INTERVAL, 60000),
        exportTimeoutMillis: Math.min(timeoutMillis, positiveInt(env.OTEL_METRIC_EXPORT_INTERVAL, 60000)),
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);

  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ timeoutMillis }),
        maxQueueSize: positiveInt(env.OTEL_BLRP_MAX_QUEUE_SIZE, 2048),
        scheduledDelayMillis: positiveInt(env.OTEL_BLRP_SCHEDULE_DELAY, 1000),
        exportTimeoutMillis: timeoutMillis,
      }),
    ],
  });
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
