import { type Attributes, context, logs, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

/** In-memory telemetry for unit tests: registered once per test process, shared by every test file. */
export interface TestTelemetry {
  spans(): ReadableSpan[];
  /** Log records emitted since the last reset. */
  logRecords(): ReadableLogRecord[];
  reset(): void;
  /** Metric names recorded so far (collected on demand). */
  metricNames(): Promise<string[]>;
  /** The attributes of every data point of one metric so far (cumulative, collected on demand). */
  points(name: string): Promise<Attributes[]>;
}

let instance: TestTelemetry | undefined;

export function testTelemetry(): TestTelemetry {
  if (instance) return instance;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const spans = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  const logRecords = new InMemoryLogRecordExporter();
  logs.setGlobalLoggerProvider(
    new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logRecords })] }),
  );
  instance = {
    spans: () => spans.getFinishedSpans(),
    logRecords: () => logRecords.getFinishedLogRecords(),
    reset() {
      spans.reset();
      logRecords.reset();
    },
    async metricNames() {
      await reader.forceFlush();
      return metricExporter
        .getMetrics()
        .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.descriptor.name)));
    },
    async points(name) {
      await reader.forceFlush();
      // Cumulative temporality: the last collection holds every point recorded so far.
      const last = metricExporter.getMetrics().at(-1);
      return (last?.scopeMetrics ?? [])
        .flatMap((sm) => sm.metrics.filter((m) => m.descriptor.name === name))
        .flatMap((m) => m.dataPoints.map((p) => p.attributes));
    },
  };
  return instance;
}
