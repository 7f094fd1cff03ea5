/**
 * Smoke test of every real peer (see peers.ts). Run with:
 *   node_modules/.bin/bun --config=test/e2e/bunfig.toml test ./test/e2e
 * after `bash test/setup/install.sh`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import postgres from "postgres";
import {
  type CollectorPeer,
  type KafkaPeer,
  type PostgresPeer,
  type PrometheusPeer,
  pollUntil,
  type Sink,
  startCollector,
  startKafka,
  startPostgres,
  startPrometheus,
  startSink,
  startThirdParty,
  type ThirdPartyPeer,
} from "./peers.ts";

process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";

let pg: PostgresPeer;
let kafka: KafkaPeer;
let sink: Sink;
let collector: CollectorPeer;
let prom: PrometheusPeer;
let thirdParty: ThirdPartyPeer;

beforeAll(async () => {
  sink = await startSink();
  thirdParty = await startThirdParty();
  // The JVM and initdb overlap; the collector needs the sink, Prometheus the collector.
  [pg, kafka, collector] = await Promise.all([startPostgres(), startKafka(), startCollector({ sinkUrl: sink.url })]);
  prom = await startPrometheus();
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([
    prom?.stop(),
    collector?.stop(),
    kafka?.stop(),
    pg?.stop(),
    sink?.stop(),
    thirdParty?.stop(),
  ]);
});

const hex = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

function resource(service: string) {
  return {
    attributes: [
      str("service.name", service),
      str("service.namespace", "o11y-lab"),
      str("service.version", "0.0.0-test"),
      str("service.instance.id", `${service}-1`),
      str("deployment.environment.name", "lab"),
    ],
  };
}

describe("postgres", () => {
  test("select 1 over TCP with password auth, database o11ylab exists", async () => {
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ one: number; db: string }[]>`select 1 as one, current_database() as db`;
      expect(rows[0]).toEqual({ one: 1, db: "o11ylab" });
    } finally {
      await sql.end({ timeout: 1 });
    }
    const wrong = postgres(pg.url.replace("postgres:postgres@", "postgres:wrong@"), { max: 1, onnotice: () => {} });
    try {
      await expect(wrong`select 1`).rejects.toThrow(/password authentication failed/);
    } finally {
      await wrong.end({ timeout: 1 });
    }
  });
});

describe("kafka", () => {
  test("kafkajs: produce acks=-1, consumer group with manual commit, survives a broker restart", async () => {
    const client = new Kafka({
      clientId: "peers-smoke",
      brokers: kafka.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 15, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    const topic = `smoke-${hex(4)}`;
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer: Producer = client.producer();
    const consumer: Consumer = client.consumer({
      groupId: `smoke-group-${hex(4)}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
    });
    const received: string[] = [];
    try {
      await producer.connect();
      const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: "k", value: "before-restart" }] });
      expect(meta?.errorCode).toBe(0);

      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic: t, partition, message }) => {
          received.push(String(message.value));
          await consumer.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        },
      });
      await pollUntil("the first message", () => received.includes("before-restart"), { timeoutMs: 30_000 });

      await kafka.restart();

      await pollUntil(
        "a produce after the broker restart",
        async () => {
          const [m] = await producer.send({ topic, acks: -1, messages: [{ key: "k", value: "after-restart" }] });
          return m?.errorCode === 0;
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      await pollUntil("the message produced after the restart", () => received.includes("after-restart"), {
        timeoutMs: 60_000,
      });
      // Manual commits landed: the committed offset covers both messages.
      const admin2 = client.admin();
      await admin2.connect();
      const groups = await admin2.listGroups();
      expect(groups.groups.length).toBeGreaterThan(0);
      await admin2.disconnect();
      expect(received.filter((v) => v === "before-restart")).toHaveLength(1);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});

describe("collector → sink (Tempo/Loki stand-in)", () => {
  test("an OTLP JSON span and a log record arrive at the sink", async () => {
    const traceId = hex(16);
    const spanId = hex(8);
    const end = nowNs();
    await collector.post("traces", {
      resourceSpans: [
        {
          resource: resource("peers-smoke"),
          scopeSpans: [
            {
              scope: { name: "peers-smoke" },
              spans: [
                {
                  traceId,
                  spanId,
                  name: "GET /smoke",
                  kind: 2,
                  startTimeUnixNano: String(end - 42_000_000n),
                  endTimeUnixNano: String(end),
                  attributes: [
                    str("http.request.method", "GET"),
                    str("http.route", "/smoke"),
                    int("http.response.status_code", 200),
                  ],
                  status: { code: 0 },
                },
              ],
            },
          ],
        },
      ],
    });
    await collector.post("logs", {
      resourceLogs: [
        {
          resource: resource("peers-smoke"),
          scopeLogs: [
            {
              scope: { name: "peers-smoke" },
              logRecords: [
                {
                  timeUnixNano: String(end),
                  severityNumber: 9,
                  severityText: "INFO",
                  body: { stringValue: "hello from the smoke test" },
                  traceId,
                  spanId,
                  attributes: [str("smoke", "yes")],
                },
              ],
            },
          ],
        },
      ],
    });
    const span = await sink.waitFor(
      () => sink.spans().find((s) => s.span.traceId === traceId),
      30_000,
      "the span at the sink",
    );
    expect(span.span.name).toBe("GET /smoke");
    expect(span.resource["service.name"]).toBe("peers-smoke");
    expect(span.attributes["http.response.status_code"]).toBe("200");
    const log = await sink.waitFor(
      () => sink.logRecords().find((l) => l.record.traceId === traceId),
      30_000,
      "the log record at the sink",
    );
    expect(log.record.spanId).toBe(spanId);
    expect(log.record.body?.stringValue).toBe("hello from the smoke test");
    expect(log.resource["service.namespace"]).toBe("o11y-lab");
    const paths = new Set(sink.requests().map((r) => r.path));
    expect(paths.has("/v1/traces")).toBe(true);
    expect(paths.has("/otlp/v1/logs")).toBe(true);
  });
});

describe("collector → Prometheus", () => {
  test("an OTLP histogram is queryable by job=o11y-lab/<service.name>", async () => {
    const start = nowNs() - 10_000_000_000n;
    const body = (count: number) => ({
      resourceMetrics: [
        {
          resource: resource("peers-metrics"),
          scopeMetrics: [
            {
              scope: { name: "peers-smoke" },
              metrics: [
                {
                  name: "http.server.request.duration",
                  unit: "s",
                  description: "Duration of HTTP server requests.",
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      {
                        attributes: [
                          str("http.request.method", "GET"),
                          str("http.route", "/smoke"),
                          int("http.response.status_code", 200),
                        ],
                        startTimeUnixNano: String(start),
                        timeUnixNano: String(nowNs()),
                        count: String(count),
                        sum: 0.05 * count,
                        bucketCounts: ["0", String(count), "0", "0"],
                        explicitBounds: [0.01, 0.1, 1],
                      },
                    ],
                  },
                },
                {
                  name: "gateway.requests",
                  unit: "{request}",
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [
                      {
                        attributes: [str("route", "/smoke")],
                        startTimeUnixNano: String(start),
                        timeUnixNano: String(nowNs()),
                        asInt: String(count),
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    await collector.post("metrics", body(3));
    const buckets = await prom.waitForQuery(
      'http_server_request_duration_seconds_bucket{job="o11y-lab/peers-metrics"}',
    );
    // Observed: labels __name__, job, instance, le, http_request_method, http_route,
    // http_response_status_code, otel_scope_name (+ otel_scope_version/schema_url when set).
    console.log("[observed] OTLP histogram series:", JSON.stringify(buckets[0]?.metric));
    const sample = buckets[0]?.metric ?? {};
    expect(sample.instance).toBe("peers-metrics-1");
    expect(sample.http_request_method).toBe("GET");
    expect(sample.http_route).toBe("/smoke");
    expect(sample.http_response_status_code).toBe("200");
    expect(buckets.map((b) => b.metric.le).sort()).toEqual(["+Inf", "0.01", "0.1", "1.0"].sort());
    const counter = await prom.waitForQuery('gateway_requests_total{job="o11y-lab/peers-metrics"}');
    console.log("[observed] OTLP counter series:", JSON.stringify(counter[0]?.metric));
    expect(counter[0]?.value[1]).toBe("3");
    const targets = await prom.targets();
    expect(targets.find((t) => t.job === "otel-collector-exporter")?.health).toBe("up");
    await pollUntil(
      "the collector's own metrics target to be up",
      async () => (await prom.targets()).find((t) => t.job === "otel-collector")?.health === "up",
      {
        timeoutMs: 40_000,
        intervalMs: 1000,
      },
    );
    const own = await prom.waitForQuery('otelcol_receiver_accepted_spans_total{job="otel-collector"}', {
      timeoutMs: 40_000,
    });
    expect(own.length).toBeGreaterThan(0);
  });

  test("spans become spanmetrics (traces_span_metrics_calls_total) with exemplars", async () => {
    const traceIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const traceId = hex(16);
      traceIds.push(traceId);
      const end = nowNs();
      await collector.post("traces", {
        resourceSpans: [
          {
            resource: resource("peers-spans"),
            scopeSpans: [
              {
                scope: { name: "peers-smoke" },
                spans: [
                  {
                    traceId,
                    spanId: hex(8),
                    name: "GET /work",
                    kind: 2,
                    startTimeUnixNano: String(end - 30_000_000n),
                    endTimeUnixNano: String(end),
                    attributes: [
                      str("http.request.method", "GET"),
                      str("http.route", "/work"),
                      int("http.response.status_code", i === 4 ? 500 : 200),
                    ],
                    status: { code: i === 4 ? 2 : 0 },
                  },
                ],
              },
            ],
          },
        ],
      });
    }
    // Exported name: traces_span_metrics_calls_total (namespace traces.span.metrics +
    // "calls" + _total), labels service_name, span_name, span_kind
    // ("SPAN_KIND_SERVER"), status_code ("STATUS_CODE_UNSET"/"STATUS_CODE_ERROR") and
    // the configured dimensions http_request_method, http_response_status_code,
    // http_route; job = "o11y-lab/peers-spans" (resource of the source spans).
    const calls = await prom.waitForQuery('traces_span_metrics_calls_total{service_name="peers-spans"}', {
      predicate: (v) => v.reduce((n, s) => n + Number(s.value[1]), 0) >= 5,
    });
    console.log("[observed] spanmetrics calls series:", JSON.stringify(calls.map((c) => c.metric)));
    const ok = calls.find((c) => c.metric.http_response_status_code === "200");
    expect(ok?.metric.span_name).toBe("GET /work");
    expect(ok?.metric.span_kind).toBe("SPAN_KIND_SERVER");
    expect(ok?.metric.http_route).toBe("/work");
    expect(calls.find((c) => c.metric.status_code === "STATUS_CODE_ERROR")).toBeDefined();
    const duration = await prom.waitForQuery(
      'traces_span_metrics_duration_seconds_bucket{service_name="peers-spans", le="0.05"}',
    );
    console.log("[observed] spanmetrics duration series:", JSON.stringify(duration[0]?.metric));
    const exemplars = await pollUntil(
      "exemplars on traces_span_metrics_duration_seconds_bucket",
      async () => {
        const series = await prom.exemplars('traces_span_metrics_duration_seconds_bucket{service_name="peers-spans"}');
        const all = series.flatMap((s) => s.exemplars);
        return all.length > 0 ? all : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    console.log("[observed] exemplar labels:", JSON.stringify(exemplars[0]?.labels));
    expect(traceIds).toContain(exemplars[0]?.labels.trace_id ?? "");
  });
});

describe("third party stand-in", () => {
  test("GET /zen answers text, can be slow and can fail", async () => {
    const ok = await fetch(`${thirdParty.url}/zen`);
    expect(ok.status).toBe(200);
    expect((await ok.text()).length).toBeGreaterThan(0);
    thirdParty.setDelay(300);
    const t0 = performance.now();
    await (await fetch(`${thirdParty.url}/zen`)).text();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    thirdParty.setDelay(0);
    thirdParty.setFailure(503);
    expect((await fetch(`${thirdParty.url}/zen`)).status).toBe(503);
    thirdParty.setFailure(null);
    expect((await fetch(`${thirdParty.url}/zen`)).status).toBe(200);
    expect(thirdParty.requests().filter((r) => r.path === "/zen")).toHaveLength(4);
  });
});
