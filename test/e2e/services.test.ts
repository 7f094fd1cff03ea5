import { describe, expect, test } from "bun:test";
import { ROLES } from "../../src/roles.ts";
import { type Lab, lab } from "./lab.ts";
import type { SinkSpan } from "./peers.ts";

const KIND = { SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
const service = (s: SinkSpan) => String(s.resource["service.name"]);

async function traceOf(l: Lab, traceId: string, predicate: (spans: SinkSpan[]) => boolean): Promise<SinkSpan[]> {
  return l.sink.waitFor(
    () => {
      const spans = l.sink.spans().filter((s) => s.span.traceId === traceId);
      return predicate(spans) ? spans : undefined;
    },
    30_000,
    `the whole trace ${traceId}`,
  );
}

describe("one request through the whole lab", () => {
  test("GET /api/process makes ONE trace: five services, Postgres, the third party, Kafka producer → consumer", async () => {
    const l = await lab();
    const { status, body } = await l.get("/api/process");
    expect(status).toBe(200);
    const traceId = String(body.trace_id);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const has = (spans: SinkSpan[], name: string, kind: number) =>
      spans.some((s) => service(s) === name && s.span.kind === kind);
    const spans = await traceOf(
      l,
      traceId,
      (s) =>
        has(s, "service-c", KIND.CONSUMER) &&
        ["api-gateway", "service-a", "service-b", "service-d"].every((r) => has(s, r, KIND.SERVER)),
    );
    const byId = new Map(spans.map((s) => [s.span.spanId, s]));
    const gatewayServer = spans.find((s) => service(s) === "api-gateway" && s.span.kind === KIND.SERVER);
    expect(gatewayServer?.span.name).toBe("GET /api/process");

    const db = spans.filter((s) => s.span.kind === KIND.CLIENT && s.attributes["db.system.name"] === "postgresql");
    expect(db.map((s) => s.span.name)).toEqual(expect.arrayContaining(["INSERT request_logs", "UPDATE request_logs"]));
    const thirdParty = spans.find(
      (s) =>
        s.span.kind === KIND.CLIENT && Number(s.attributes["server.port"]) === Number(new URL(l.thirdParty.url).port),
    );
    expect(thirdParty).toBeDefined();

    const producer = spans.find((s) => service(s) === "service-b" && s.span.kind === KIND.PRODUCER);
    const consumer = spans.find((s) => service(s) === "service-c" && s.span.kind === KIND.CONSUMER);
    expect(producer?.span.name).toBe("send o11y-lab-events");
    expect(consumer?.span.parentSpanId).toBe(producer?.span.spanId);

    // Walk up from the consumer: every parent is in this trace, and the chain ends at the gateway.
    const chain: string[] = [];
    let at: SinkSpan | undefined = consumer;
    while (at) {
      chain.push(`${service(at)}:${at.span.name}`);
      at = at.span.parentSpanId ? byId.get(at.span.parentSpanId) : undefined;
    }
    expect(chain.at(-1)).toBe("api-gateway:GET /api/process");
    expect(chain).toContain("service-a:GET /process");
    expect(chain).toContain("service-b:POST /enqueue");
  });

  test("its log records arrive through the collector with the request's trace_id and span_id", async () => {
    const l = await lab();
    const { body } = await l.get("/api/process");
    const traceId = String(body.trace_id);
    const records = await l.sink.waitFor(
      () => {
        const found = l.sink.logRecords().filter((r) => r.record.traceId === traceId);
        const services = new Set(found.map((r) => String(r.resource["service.name"])));
        return services.size >= 4 ? found : undefined;
      },
      30_000,
      "log records of the request",
    );
    for (const record of records) expect(record.record.spanId).toMatch(/^[0-9a-f]{16}$/);
    // Every record's span_id names a real span of the same trace.
    const inTrace = (spanId?: string) =>
      l.sink.spans().some((s) => s.span.traceId === traceId && s.span.spanId === spanId);
    await l.sink.waitFor(
      () => records.every((r) => inTrace(r.record.spanId)) || undefined,
      15_000,
      "the spans the log records point to",
    );
    expect(records.map((r) => String(r.resource["service.name"]))).toEqual(
      expect.arrayContaining(["api-gateway", "service-a", "service-b", "service-d"]),
    );
  });
});

describe("metrics in the real Prometheus", () => {
  test("HTTP server duration for every role, by job", async () => {
    const l = await lab();
    const samples = await l.prometheus.waitForQuery("sum by (job) (http_server_request_duration_seconds_count)", {
      timeoutMs: 60_000,
      predicate: (v) => ROLES.every((r) => v.some((s) => s.metric.job === `o11y-lab/${r.name}`)),
    });
    expect(samples.length).toBeGreaterThanOrEqual(ROLES.length);
  });

  const expected = [
    'http_client_request_duration_seconds_count{job="o11y-lab/api-gateway"}',
    'db_client_operation_duration_seconds_count{job="o11y-lab/service-a", db_system_name="postgresql"}',
    'messaging_client_operation_duration_seconds_count{job="o11y-lab/service-b"}',
    'messaging_process_duration_seconds_count{job="o11y-lab/service-c"}',
    "gateway_requests_total",
    "service_a_process_total",
    "service_a_db_query_duration_seconds_count",
    "service_a_external_calls_total",
    "service_b_messages_total",
    "service_b_kafka_duration_seconds_count",
    "service_c_messages_processed_total",
    "service_c_processing_duration_seconds_count",
    "service_c_consumer_lag",
    "service_d_compute_total",
    "service_d_compute_duration_seconds_count",
    "service_d_computation_value_count",
    'traces_span_metrics_calls_total{service_name="api-gateway"}',
    'traces_span_metrics_duration_seconds_count{service_name="service-c", span_kind="SPAN_KIND_CONSUMER"}',
  ];
  for (const promql of expected) {
    test(`non-empty: ${promql}`, async () => {
      const l = await lab();
      const samples = await l.prometheus.waitForQuery(promql, { timeoutMs: 60_000 });
      expect(samples.length).toBeGreaterThan(0);
    });
  }
});
