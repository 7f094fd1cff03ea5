/**
 * The telemetry is the lesson: what the semantic conventions say, checked on what went through the real
 * collector (spans and logs at the sink, metrics in the real Prometheus).
 */
import { describe, expect, test } from "bun:test";
import { lokiEntry } from "../../src/stack/loki-otlp.ts";
import { lab, ROLE_PORTS } from "./lab.ts";
import type { SinkSpan } from "./peers.ts";

const KIND = { SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
// Run after another file, this one did not get the preload's default timeout (bun 1.4.5): say it per test.
const SLOW = 120_000;
const ERROR = 2;
const service = (s: SinkSpan) => String(s.resource["service.name"]);

describe("HTTP spans and metrics", () => {
  test(
    "a dependency answering 404: the CLIENT span is an error with error.type 404, the metric says so too",
    async () => {
      const l = await lab();
      l.thirdParty.setFailure(404);
      let traceId: string;
      try {
        const { status, body } = await l.get("/api/process");
        expect(status).toBe(200);
        traceId = String(body.trace_id);
      } finally {
        l.thirdParty.setFailure(null);
      }
      const port = String(new URL(l.thirdParty.url).port);
      const span = await l.sink.waitFor(
        () =>
          l.sink
            .spans()
            .find(
              (s) => s.span.traceId === traceId && s.span.kind === KIND.CLIENT && s.attributes["server.port"] === port,
            ),
        30_000,
        "the third-party CLIENT span",
      );
      expect(span.span.status?.code).toBe(ERROR);
      expect(span.attributes["error.type"]).toBe("404");
      expect(span.attributes["http.response.status_code"]).toBe("404");
      const samples = await l.prometheus.waitForQuery(
        `http_client_request_duration_seconds_count{job="o11y-lab/service-a", error_type="404", server_port="${port}"}`,
        { timeoutMs: 60_000 },
      );
      expect(samples.length).toBeGreaterThan(0);
    },
    SLOW,
  );

  test(
    "a server answering 400 leaves its SERVER span unset; server spans name their address and port",
    async () => {
      const l = await lab();
      const response = await fetch(`${l.roleUrl("service-d")}/compute?value=0`, {
        headers: { traceparent: "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
      });
      expect(response.status).toBe(400);
      const span = await l.sink.waitFor(
        () => l.sink.spans().find((s) => s.span.traceId === "5bf92f3577b34da6a3ce929d0e0e4736"),
        30_000,
        "service-d's SERVER span for the 400",
      );
      expect(span.span.kind).toBe(KIND.SERVER);
      expect(span.span.status?.code ?? 0).toBe(0);
      expect(span.attributes["error.type"]).toBeUndefined();
      expect(span.attributes).toMatchObject({
        "http.response.status_code": "400",
        "server.address": "127.0.0.1",
        "server.port": String(ROLE_PORTS["service-d"]),
        "url.query": "value=0",
      });
    },
    SLOW,
  );

  test(
    "probes leave no trace: no span, no SQL span for /ready's SELECT 1, no metric point",
    async () => {
      const l = await lab();
      const started = Date.now() * 1e6;
      for (let i = 0; i < 5; i++) {
        for (const role of ["service-a", "api-gateway", "service-b"]) {
          for (const path of ["/health", "/ready"]) expect((await fetch(`${l.roleUrl(role)}${path}`)).ok).toBe(true);
        }
      }
      // A request after the probes: once its spans are in, anything the probes made would be too.
      const { body } = await l.get("/api/process");
      await l.sink.waitFor(
        () => l.sink.spans().some((s) => s.span.traceId === body.trace_id && service(s) === "service-a"),
        30_000,
        "the request after the probes",
      );
      const after = l.sink.spans().filter((s) => Number(s.span.startTimeUnixNano) >= started);
      expect(after.filter((s) => ["/health", "/ready"].includes(String(s.attributes["url.path"])))).toEqual([]);
      expect(after.filter((s) => s.attributes["db.query.summary"] === "SELECT")).toEqual([]);
      const probePoints = await l.prometheus.query(
        'http_server_request_duration_seconds_count{http_route=~"/health|/ready"} or db_client_operation_duration_seconds_count{db_query_summary="SELECT"}',
      );
      expect(probePoints).toEqual([]);
    },
    SLOW,
  );
});

describe("database spans", () => {
  test(
    "named by db.query.summary, with the SQL as written and no parsed operation or collection",
    async () => {
      const l = await lab();
      const { body } = await l.get("/api/process");
      const db = await l.sink.waitFor(
        () => {
          const found = l.sink
            .spans()
            .filter((s) => s.span.traceId === body.trace_id && s.attributes["db.system.name"] === "postgresql");
          return found.length >= 3 ? found : undefined;
        },
        30_000,
        "the request's SQL spans",
      );
      for (const span of db) {
        expect(span.span.name).toBe(String(span.attributes["db.query.summary"]));
        expect(span.attributes["db.operation.name"]).toBeUndefined();
        expect(span.attributes).toMatchObject({ "server.address": "127.0.0.1", "db.namespace": expect.any(String) });
      }
      expect(db.map((s) => s.span.name)).toEqual(
        expect.arrayContaining(["INSERT request_logs", "SELECT request_logs", "UPDATE request_logs"]),
      );
      const samples = await l.prometheus.waitForQuery(
        'db_client_operation_duration_seconds_count{job="o11y-lab/service-a", db_query_summary="INSERT request_logs"}',
        { timeoutMs: 60_000 },
      );
      expect(samples.length).toBeGreaterThan(0);
    },
    SLOW,
  );
});

describe("the three lessons, as the telemetry shows them", () => {
  test(
    "auto and hybrid SERVER spans come from the composition root; manual ones from the role's own scope",
    async () => {
      const l = await lab();
      const { body } = await l.get("/api/process");
      const servers = await l.sink.waitFor(
        () => {
          const found = l.sink.spans().filter((s) => s.span.traceId === body.trace_id && s.span.kind === KIND.SERVER);
          return found.length >= 4 ? found : undefined;
        },
        30_000,
        "the request's SERVER spans",
      );
      const scopeOf = Object.fromEntries(servers.map((s) => [service(s), s.scope.name]));
      expect(scopeOf).toEqual({
        "api-gateway": "o11y-lab/auto",
        "service-a": "o11y-lab/auto",
        "service-b": "service-b",
        "service-d": "o11y-lab/auto",
      });
      const samples = await l.prometheus.waitForQuery(
        'http_server_request_duration_seconds_count{job="o11y-lab/service-b", otel_scope_name="service-b", http_route="/enqueue"}',
        { timeoutMs: 60_000 },
      );
      expect(samples.length).toBeGreaterThan(0);
    },
    SLOW,
  );

  test(
    "Kafka: server.address and server.port apart; the process span is linked to the message's creation",
    async () => {
      const l = await lab();
      const { body } = await l.get("/api/process");
      const [producer, consumer] = await l.sink.waitFor(
        () => {
          const spans = l.sink.spans().filter((s) => s.span.traceId === body.trace_id);
          const p = spans.find((s) => s.span.kind === KIND.PRODUCER);
          const c = spans.find((s) => s.span.kind === KIND.CONSUMER);
          return p && c ? [p, c] : undefined;
        },
        30_000,
        "the request's PRODUCER and CONSUMER spans",
      );
      const [host, port] = String(l.kafka.brokers[0]).split(":");
      expect(producer?.attributes).toMatchObject({ "server.address": host, "server.port": port });
      expect(consumer?.attributes).toMatchObject({ "server.address": host, "server.port": port });
      expect(consumer?.span.links?.map((k) => k.spanId)).toEqual([producer?.span.spanId]);
    },
    SLOW,
  );
});

describe("structured logs", () => {
  test(
    "the message id is a log record attribute in service-b and service-c: structured metadata in Loki",
    async () => {
      const l = await lab();
      const { body } = await l.get("/api/process");
      const answer = body.data as { data: { service_b: { id: string } } };
      const id = answer.data.service_b.id;
      const records = await l.sink.waitFor(
        () => {
          const found = l.sink.logRecords().filter((r) => r.attributes["messaging.message.id"] === id);
          const services = new Set(found.map((r) => String(r.resource["service.name"])));
          return services.has("service-b") && services.has("service-c") ? found : undefined;
        },
        30_000,
        `log records carrying messaging.message.id=${id}`,
      );
      for (const record of records) {
        expect(String(record.record.body?.stringValue)).not.toContain(id);
        expect(lokiEntry(record).metadata.messaging_message_id).toBe(id);
      }
    },
    SLOW,
  );
});

describe("OTEL_* environment, through the real collector", () => {
  test(
    "http/json instead of protobuf; code-set resource attributes win over OTEL_RESOURCE_ATTRIBUTES",
    async () => {
      const l = await lab();
      const running = l.role("service-d").process;
      running.kill("SIGTERM");
      await running.exited;
      try {
        await l.startRole("service-d", {
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_RESOURCE_ATTRIBUTES: "service.namespace=elsewhere,lab.run=e2e-json",
        });
        const traceId = crypto.randomUUID().replaceAll("-", "");
        const response = await fetch(`${l.roleUrl("service-d")}/compute?value=3`, {
          headers: { traceparent: `00-${traceId}-${"2".repeat(16)}-01` },
        });
        expect(response.status).toBe(200);
        const span = await l.sink.waitFor(
          () => l.sink.spans().find((s) => s.span.traceId === traceId),
          30_000,
          "the span service-d sent as JSON",
        );
        expect(span.resource).toMatchObject({
          "lab.run": "e2e-json",
          "service.name": "service-d",
          "service.namespace": "o11y-lab",
          "deployment.environment.name": "lab",
          "telemetry.sdk.name": "opentelemetry",
          "telemetry.sdk.language": "nodejs",
          "telemetry.sdk.version": expect.stringMatching(/^\d+\.\d+\.\d+/),
        });
        // This process's own metrics, exported as JSON too: the instance label is its service.instance.id.
        const instance = String(span.resource["service.instance.id"]);
        const samples = await l.prometheus.waitForQuery(
          `http_server_request_duration_seconds_count{job="o11y-lab/service-d", instance="${instance}", http_route="/compute"}`,
          { timeoutMs: 60_000 },
        );
        expect(samples.length).toBeGreaterThan(0);
      } finally {
        const changed = l.role("service-d").process;
        changed.kill("SIGTERM");
        await changed.exited;
        await l.startRole("service-d");
      }
    },
    SLOW,
  );
});
