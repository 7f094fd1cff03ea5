import { afterAll, describe, expect, test } from "bun:test";
import { context, DiagLogLevel, diag, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { readOtelEnv } from "./env.ts";
import { diagLogger } from "./logger.ts";
import { createProviders, labResource, propagatorOf } from "./sdk.ts";

interface Received {
  path: string;
  contentType: string;
  body: Record<string, unknown>;
}

/**
 * A stand-in for the collector's OTLP/HTTP receiver, as the OTLP spec describes it: POST /v1/<signal>,
 * protobuf or JSON, answered 200 with an empty response message. Paths under /hang never answer; paths under
 * /flaky are refused with a 400 (not retried) while `refusing` is set.
 */
const received: Received[] = [];
let refusing = false;
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/hang")) return new Promise<Response>(() => {});
    if (pathname.startsWith("/flaky") && refusing) return new Response("refused", { status: 400 });
    const contentType = request.headers.get("content-type") ?? "";
    const bytes = await request.arrayBuffer();
    const body = contentType.includes("json") ? JSON.parse(new TextDecoder().decode(bytes)) : {};
    received.push({ path: pathname, contentType, body });
    return contentType.includes("json")
      ? Response.json({})
      : new Response(new Uint8Array(), { headers: { "content-type": "application/x-protobuf" } });
  },
});
afterAll(() => receiver.stop(true));
const endpoint = `http://127.0.0.1:${receiver.port}`;

/**
 * Providers built from `env` (pointed at the receiver), and the warnings reading it produced. The OTLP
 * exporters read their own variables from process.env when they are constructed, so `env` is there meanwhile.
 */
function build(env: Record<string, string>) {
  const warnings: string[] = [];
  const full = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...env };
  const config = readOtelEnv(full, (m) => warnings.push(m));
  const saved = { ...process.env };
  Object.assign(process.env, full);
  try {
    return { config, warnings, ...createProviders("service-d", config, full) };
  } finally {
    for (const key of Object.keys(full)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

function spansIn(request: Received): Array<{ name: string; attributes: Array<{ key: string; value: unknown }> }> {
  const resourceSpans = (request.body.resourceSpans ?? []) as Array<{ scopeSpans: Array<{ spans: never[] }> }>;
  return resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
}

describe("OTEL_* environment", () => {
  test("a value not understood gives exactly one diag warning naming it, and the default is used", () => {
    const bad = {
      OTEL_TRACES_SAMPLER: "jaeger_remote",
      OTEL_TRACES_EXPORTER: "zipkin",
      OTEL_METRICS_EXPORTER: "prometheus",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      OTEL_PROPAGATORS: "b3",
      OTEL_LOG_LEVEL: "loud",
      OTEL_BSP_SCHEDULE_DELAY: "soon",
      OTEL_METRIC_EXPORT_INTERVAL: "-5",
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: "many",
      OTEL_METRICS_EXEMPLAR_FILTER: "trace_based",
    };
    const warnings: string[] = [];
    const config = readOtelEnv(bad, (m) => warnings.push(m));
    for (const name of Object.keys(bad)) expect(warnings.filter((w) => w.startsWith(`${name}=`))).toHaveLength(1);
    expect(warnings).toHaveLength(Object.keys(bad).length);
    expect(config).toMatchObject({
      sampler: "parentbased_always_on",
      exporters: { traces: ["otlp"], metrics: ["otlp"], logs: ["otlp"] },
      protocols: { traces: "http/protobuf", metrics: "http/protobuf", logs: "http/protobuf" },
      propagators: ["tracecontext", "baggage"],
      logLevel: DiagLogLevel.INFO,
      bsp: { scheduledDelayMillis: 5000 },
      metricExportIntervalMillis: 60_000,
    });
    expect(readOtelEnv({}, (m) => warnings.push(m))).toMatchObject({ disabled: false });
    expect(readOtelEnv({ OTEL_SDK_DISABLED: "TRUE", OTEL_LOG_LEVEL: "debug" }, () => {})).toMatchObject({
      disabled: true,
      logLevel: DiagLogLevel.DEBUG,
    });
  });

  test("OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL: http/protobuf by default, http/json when asked", async () => {
    received.length = 0;
    const proto = build({});
    proto.tracerProvider.getTracer("t").startSpan("proto").end();
    await proto.tracerProvider.shutdown();
    const json = build({
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
    });
    json.tracerProvider.getTracer("t").startSpan("json").end();
    await json.tracerProvider.shutdown();
    expect(received.map((r) => `${r.path} ${r.contentType}`)).toEqual([
      "/v1/traces application/x-protobuf",
      "/v1/traces application/json",
    ]);
  });

  test("OTEL_TRACES_EXPORTER=none exports nothing; OTEL_BSP_MAX_EXPORT_BATCH_SIZE splits the batches", async () => {
    received.length = 0;
    const none = build({ OTEL_TRACES_EXPORTER: "none" });
    none.tracerProvider.getTracer("t").startSpan("dropped").end();
    await none.tracerProvider.shutdown();
    expect(received).toEqual([]);
    const batched = build({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "2" });
    for (let i = 0; i < 5; i++) batched.tracerProvider.getTracer("t").startSpan(`s${i}`).end();
    await batched.tracerProvider.shutdown();
    expect(received.map((r) => spansIn(r).length)).toEqual([2, 2, 1]);
  });

  test("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT and OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT bound what a span keeps", async () => {
    received.length = 0;
    const limited = build({
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: "1",
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: "3",
    });
    limited.tracerProvider
      .getTracer("t")
      .startSpan("limited", { attributes: { a: "abcdef", b: "kept?" } })
      .end();
    await limited.tracerProvider.shutdown();
    expect(spansIn(received[0] as Received)[0]?.attributes).toEqual([{ key: "a", value: { stringValue: "abc" } }]);
  });

  test("OTEL_METRIC_EXPORT_INTERVAL paces the metric exports; OTEL_METRICS_EXPORTER=none stops them", async () => {
    received.length = 0;
    const fast = build({ OTEL_METRIC_EXPORT_INTERVAL: "50", OTEL_METRIC_EXPORT_TIMEOUT: "1000" });
    expect(fast.config.metricExportTimeoutMillis).toBe(50);
    fast.meterProvider.getMeter("m").createCounter("c").add(1);
    await Bun.sleep(300);
    await fast.meterProvider.shutdown();
    expect(received.filter((r) => r.path === "/v1/metrics").length).toBeGreaterThanOrEqual(2);
    received.length = 0;
    const none = build({ OTEL_METRICS_EXPORTER: "none", OTEL_METRIC_EXPORT_INTERVAL: "50" });
    none.meterProvider.getMeter("m").createCounter("c").add(1);
    await Bun.sleep(150);
    await none.meterProvider.shutdown();
    expect(received).toEqual([]);
  });

  test("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE and OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT shape the log exports", async () => {
    received.length = 0;
    const built = build({
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json",
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: "1",
      OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: "1",
    });
    const logger = built.loggerProvider.getLogger("l");
    logger.emit({ body: "one", attributes: { a: 1, b: 2 } });
    logger.emit({ body: "two" });
    await built.loggerProvider.shutdown();
    const records = received.map((r) =>
      (r.body.resourceLogs as Array<{ scopeLogs: Array<{ logRecords: Array<{ attributes?: unknown[] }> }> }>).flatMap(
        (l) => l.scopeLogs.flatMap((s) => s.logRecords),
      ),
    );
    expect(records.map((r) => r.length)).toEqual([1, 1]);
    expect(records[0]?.[0]?.attributes).toHaveLength(1);
  });

  test("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT is honoured, and a failed export is said through diag", async () => {
    const said: string[] = [];
    diag.setLogger(
      diagLogger("service-d", (l) => said.push(l)),
      DiagLogLevel.WARN,
    );
    try {
      const slow = build({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/hang/v1/traces`,
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "200",
        OTEL_BSP_SCHEDULE_DELAY: "10",
      });
      slow.tracerProvider.getTracer("t").startSpan("lost").end();
      // The default timeout is 10 s: a failure said within a second is the 200 ms one.
      await Bun.sleep(1000);
      await slow.tracerProvider.shutdown().catch(() => {});
    } finally {
      diag.disable();
    }
    const lines = said.map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.find((l) => l.level === "ERROR")).toMatchObject({ service: "service-d" });
    expect(lines.map((l) => l.message).join("\n")).toMatch(/^opentelemetry: .*timed out/m);
  });

  test("exports that start failing are said once, and when they work again, with how much was dropped", async () => {
    const said: string[] = [];
    diag.setLogger(
      diagLogger("service-d", (l) => said.push(l)),
      DiagLogLevel.INFO,
    );
    const { tracerProvider } = build({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/flaky/v1/traces` });
    const batch = async () => {
      tracerProvider.getTracer("t").startSpan("s").end();
      await tracerProvider.forceFlush().catch(() => {});
    };
    try {
      refusing = true;
      await batch();
      await batch();
      refusing = false;
      await batch();
      await batch();
    } finally {
      refusing = false;
      diag.disable();
      await tracerProvider.shutdown();
    }
    const mine = said
      .map((l) => JSON.parse(l).message as string)
      .filter((m) => /^opentelemetry: traces export/.test(m));
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatch(/traces export failing \(.*\): traces are dropped until the backend answers again/);
    expect(mine[1]).toMatch(/traces export works again after \d+ s; 2 batch\(es\) were dropped meanwhile/);
  });

  test("OTEL_PROPAGATORS chooses what is injected; OTEL_TRACES_SAMPLER what is recorded", () => {
    const inject = (value: string | undefined) => {
      const carrier: Record<string, string> = {};
      const propagator = propagatorOf(readOtelEnv(value ? { OTEL_PROPAGATORS: value } : {}, () => {}));
      const span = trace.wrapSpanContext({
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        spanId: "00f067aa0ba902b7",
        traceFlags: 1,
      });
      const ctx = propagation.setBaggage(
        trace.setSpan(ROOT_CONTEXT, span),
        propagation.createBaggage({ k: { value: "v" } }),
      );
      propagator.inject(ctx, carrier, {
        set(c, k, v) {
          c[k] = v;
        },
      });
      return Object.keys(carrier).sort();
    };
    expect(inject(undefined)).toEqual(["baggage", "traceparent"]);
    expect(inject("baggage")).toEqual(["baggage"]);
    expect(inject("none")).toEqual([]);
    const off = build({ OTEL_TRACES_SAMPLER: "always_off" });
    expect(off.tracerProvider.getTracer("t").startSpan("x").isRecording()).toBe(false);
    const zero = build({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0" });
    expect(zero.tracerProvider.getTracer("t").startSpan("x", {}, context.active()).isRecording()).toBe(false);
  });

  test("resource: code-set attributes win over OTEL_RESOURCE_ATTRIBUTES; OTEL_SERVICE_NAME names the service", () => {
    const warnings: string[] = [];
    const resource = labResource(
      "service-b",
      {
        OTEL_RESOURCE_ATTRIBUTES: "service.namespace=elsewhere,team=lab%20crew,service.name=x",
        OTEL_SERVICE_NAME: "renamed",
      },
      (m) => warnings.push(m),
    );
    expect(resource.attributes).toMatchObject({
      "service.name": "renamed",
      "service.namespace": "o11y-lab",
      "deployment.environment.name": "lab",
      team: "lab crew",
      "telemetry.sdk.name": "opentelemetry",
      "telemetry.sdk.language": "nodejs",
      "telemetry.sdk.version": expect.stringMatching(/^\d+\.\d+\.\d+/),
      "process.runtime.name": "bun",
    });
    expect(labResource("service-b", { OTEL_RESOURCE_ATTRIBUTES: "service.name=x" }).attributes["service.name"]).toBe(
      "x",
    );
    expect(labResource("service-b", {}).attributes["service.name"]).toBe("service-b");
    expect(warnings).toEqual([]);
    labResource("service-b", { OTEL_RESOURCE_ATTRIBUTES: "team=a,broken" }, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
  });
});

describe("each variable the reader reads changes the setting it names", () => {
  const cases: Array<[string, string, (c: ReturnType<typeof readOtelEnv>) => unknown, unknown]> = [
    ["OTEL_SDK_DISABLED", "true", (c) => c.disabled, true],
    ["OTEL_LOG_LEVEL", "error", (c) => c.logLevel, DiagLogLevel.ERROR],
    ["OTEL_PROPAGATORS", "tracecontext", (c) => c.propagators, ["tracecontext"]],
    ["OTEL_TRACES_SAMPLER", "traceidratio", (c) => c.sampler, "traceidratio"],
    ["OTEL_TRACES_EXPORTER", "console", (c) => c.exporters.traces, ["console"]],
    ["OTEL_METRICS_EXPORTER", "otlp,console", (c) => c.exporters.metrics, ["otlp", "console"]],
    ["OTEL_LOGS_EXPORTER", "none", (c) => c.exporters.logs, []],
    [
      "OTEL_EXPORTER_OTLP_PROTOCOL",
      "http/json",
      (c) => c.protocols,
      Object.fromEntries(["traces", "metrics", "logs"].map((s) => [s, "http/json"])),
    ],
    ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json", (c) => c.protocols.metrics, "http/json"],
    ["OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json", (c) => c.protocols.logs, "http/json"],
    ["OTEL_BSP_SCHEDULE_DELAY", "100", (c) => c.bsp.scheduledDelayMillis, 100],
    ["OTEL_BSP_EXPORT_TIMEOUT", "100", (c) => c.bsp.exportTimeoutMillis, 100],
    ["OTEL_BSP_MAX_QUEUE_SIZE", "100", (c) => c.bsp.maxQueueSize, 100],
    ["OTEL_BLRP_SCHEDULE_DELAY", "100", (c) => c.blrp.scheduledDelayMillis, 100],
    ["OTEL_BLRP_EXPORT_TIMEOUT", "100", (c) => c.blrp.exportTimeoutMillis, 100],
    ["OTEL_BLRP_MAX_QUEUE_SIZE", "1000", (c) => c.blrp.maxQueueSize, 1000],
    ["OTEL_METRIC_EXPORT_TIMEOUT", "100", (c) => c.metricExportTimeoutMillis, 100],
    [
      "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION",
      "base2_exponential_bucket_histogram",
      (c) => c.exponentialHistograms,
      true,
    ],
    ["OTEL_SPAN_EVENT_COUNT_LIMIT", "3", (c) => c.spanLimits.eventCountLimit, 3],
    ["OTEL_SPAN_LINK_COUNT_LIMIT", "3", (c) => c.spanLimits.linkCountLimit, 3],
    ["OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "3", (c) => c.spanLimits.attributePerEventCountLimit, 3],
    ["OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "3", (c) => c.spanLimits.attributePerLinkCountLimit, 3],
    ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "3", (c) => c.spanLimits.attributeValueLengthLimit, 3],
    ["OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "3", (c) => c.logRecordLimits.attributeValueLengthLimit, 3],
    [
      "OTEL_ATTRIBUTE_COUNT_LIMIT",
      "3",
      (c) => [c.spanLimits.attributeCountLimit, c.logRecordLimits.attributeCountLimit],
      [3, 3],
    ],
  ];
  for (const [name, value, setting, expected] of cases) {
    test(`${name}=${value}`, () => {
      const warnings: string[] = [];
      const set = setting(readOtelEnv({ [name]: value }, (m) => warnings.push(m)));
      expect(set).toEqual(expected);
      expect(setting(readOtelEnv({}, () => {}))).not.toEqual(expected);
      expect(warnings).toEqual([]);
    });
  }
});

describe("the README's list of OTEL_* variables", () => {
  test("names every variable the reader reads, and nothing it does not (the OTLP exporters read their own)", async () => {
    const readme = await Bun.file("README.md").text();
    const section = readme.slice(readme.indexOf("### OpenTelemetry environment variables"));
    const listed = new Set(
      [...section.slice(0, section.indexOf("\n## ")).matchAll(/`(OTEL_[A-Z_]+)[`=]/g)].map((m) => m[1] as string),
    );
    const read = new Set<string>();
    const spy = new Proxy({} as Record<string, string | undefined>, {
      get: (_, key) => void read.add(String(key)),
    });
    readOtelEnv(spy, () => {});
    labResource("service-a", spy);
    const byExporters = [...listed].filter((name) => name.startsWith("OTEL_EXPORTER_OTLP_") && !read.has(name));
    expect(byExporters.sort()).toEqual([
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
    ]);
    expect([...read].filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed].filter((name) => !read.has(name) && !byExporters.includes(name))).toEqual([]);
  });
});
