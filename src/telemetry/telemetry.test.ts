import { describe, expect, test } from "bun:test";
import { SpanKind, trace } from "@opentelemetry/api";
import { testTelemetry } from "../../test/support/telemetry.ts";
import { tracedFetch } from "./fetch.ts";
import { instrumentServer } from "./http-server.ts";
import { otelReporter } from "./logger.ts";
import { labResource, samplerFromEnv } from "./sdk.ts";
import { describeQuery, tracedQuery } from "./sql.ts";

const telemetry = testTelemetry();

describe("auto instrumentation", () => {
  test("server span continues the caller's trace; client span injects its own context", async () => {
    telemetry.reset();
    const seen: string[] = [];
    const downstream = async (_: string | URL, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get("traceparent") ?? "");
      return new Response("{}", { status: 503 });
    };
    const client = tracedFetch(downstream);
    const server = instrumentServer(
      async () => client("http://service-a:8001/process"),
      () => "/api/process",
    );
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const response = await server(
      new Request("http://gw/api/process", { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } }),
    );
    expect(response.status).toBe(503);
    const spans = telemetry.spans();
    const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
    const clientSpan = spans.find((s) => s.kind === SpanKind.CLIENT);
    expect(serverSpan?.name).toBe("GET /api/process");
    expect(serverSpan?.spanContext().traceId).toBe(traceId);
    expect(clientSpan?.parentSpanContext?.spanId).toBe(serverSpan?.spanContext().spanId);
    expect(clientSpan?.attributes["server.address"]).toBe("service-a");
    expect(clientSpan?.status.code).toBe(2);
    expect(seen[0]).toBe(`00-${traceId}-${clientSpan?.spanContext().spanId}-01`);
    expect(await telemetry.metricNames()).toEqual(
      expect.arrayContaining(["http.server.request.duration", "http.client.request.duration"]),
    );
  });

  test("SQL spans are named OPERATION table and never carry the bound values", async () => {
    telemetry.reset();
    expect(describeQuery("INSERT INTO request_logs (a) VALUES ($1)").spanName).toBe("INSERT request_logs");
    expect(describeQuery("select count(*) from request_logs where x").spanName).toBe("SELECT request_logs");
    expect(describeQuery("SELECT 1").spanName).toBe("SELECT");
    const query = tracedQuery(async () => [], { host: "db", port: 5432, database: "o11ylab" });
    await query`UPDATE request_logs SET status = ${"secret"} WHERE id = ${1}`;
    const span = telemetry.spans()[0];
    expect(span?.name).toBe("UPDATE request_logs");
    expect(span?.attributes["db.query.text"]).toBe("UPDATE request_logs SET status = $1 WHERE id = $2");
  });

  test("log lines carry the active span's ids", () => {
    const lines: string[] = [];
    const reporter = otelReporter("service-d", (l) => lines.push(l));
    const tracer = trace.getTracer("test");
    tracer.startActiveSpan("work", (span) => {
      reporter.log(
        { type: "info", level: 3, tag: "", args: ["hello", 42], date: new Date(0) },
        { options: {} as never },
      );
      const line = JSON.parse(lines[0] ?? "{}");
      expect(line).toMatchObject({ level: "INFO", service: "service-d", message: "hello 42" });
      expect(line.trace_id).toBe(span.spanContext().traceId);
      expect(line.span_id).toBe(span.spanContext().spanId);
      span.end();
    });
  });

  test("resource and sampler follow the OTEL_* environment", () => {
    const resource = labResource("service-b", { OTEL_SERVICE_NAME: "renamed" });
    expect(resource.attributes["service.name"]).toBe("renamed");
    expect(labResource("service-b", {}).attributes["service.namespace"]).toBe("o11y-lab");
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: "always_off" }).toString()).toContain("AlwaysOff");
    expect(samplerFromEnv({}).toString()).toContain("ParentBased");
  });
});
