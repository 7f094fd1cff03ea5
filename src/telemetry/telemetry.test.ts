import { describe, expect, test } from "bun:test";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { testTelemetry } from "../../test/support/telemetry.ts";
import { tracedFetch } from "./fetch.ts";
import { instrumentServer } from "./http-server.ts";
import { createLog, otelReporter } from "./logger.ts";
import { querySummary, tracedQuery } from "./sql.ts";

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

  test("a 4xx is an error on the CLIENT span (error.type = the code) and unset on the SERVER span", async () => {
    telemetry.reset();
    const client = tracedFetch(async () => new Response("{}", { status: 404 }));
    const server = instrumentServer(
      async () => client("http://user:pw@service-d:8004/compute?value=7&sig=secret"),
      () => "/process",
    );
    const response = await server(new Request("http://service-a:8001/process?Signature=abc&x=1"));
    expect(response.status).toBe(404);
    const spans = telemetry.spans();
    const clientSpan = spans.find((s) => s.kind === SpanKind.CLIENT);
    const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(clientSpan?.status.code).toBe(SpanStatusCode.ERROR);
    expect(clientSpan?.attributes["error.type"]).toBe("404");
    expect(clientSpan?.attributes["url.full"]).toBe(
      "http://REDACTED:REDACTED@service-d:8004/compute?value=7&sig=REDACTED",
    );
    expect(serverSpan?.status.code).toBe(SpanStatusCode.UNSET);
    expect(serverSpan?.attributes["error.type"]).toBeUndefined();
    expect(serverSpan?.attributes).toMatchObject({
      "http.response.status_code": 404,
      "server.address": "service-a",
      "server.port": 8001,
      "url.query": "Signature=REDACTED&x=1",
    });
    const clientPoints = await telemetry.points("http.client.request.duration");
    expect(clientPoints).toContainEqual(expect.objectContaining({ "error.type": "404", "server.port": 8004 }));
    const serverPoints = await telemetry.points("http.server.request.duration");
    const route404 = serverPoints.filter(
      (p) => p["http.route"] === "/process" && p["http.response.status_code"] === 404,
    );
    expect(route404.map((p) => p["error.type"])).toEqual([undefined]);
  });

  test("SQL spans are named by the query summary, as written, and never carry the bound values", async () => {
    telemetry.reset();
    expect(querySummary("INSERT INTO request_logs (a) VALUES ($1)")).toBe("INSERT request_logs");
    expect(querySummary("select count(*) from request_logs where x = 'FROM t'")).toBe("select request_logs");
    expect(querySummary("SELECT 1")).toBe("SELECT");
    expect(querySummary("CREATE TABLE IF NOT EXISTS request_logs (id int)")).toBe("CREATE TABLE request_logs");
    expect(querySummary("INSERT INTO shipping_details SELECT * FROM orders")).toBe(
      "INSERT shipping_details SELECT orders",
    );
    const query = tracedQuery(async () => [], { host: "db", port: 5432, database: "o11ylab" });
    await query`UPDATE request_logs SET status = ${"secret"} WHERE id = ${1}`;
    const span = telemetry.spans()[0];
    expect(span?.name).toBe("UPDATE request_logs");
    expect(span?.attributes).toMatchObject({
      "db.query.summary": "UPDATE request_logs",
      "db.query.text": "UPDATE request_logs SET status = $1 WHERE id = $2",
      "db.system.name": "postgresql",
      "server.address": "db",
      "server.port": 5432,
    });
    expect(span?.attributes["db.operation.name"]).toBeUndefined();
  });

  test("a query PostgreSQL refuses carries its SQLSTATE as error.type and db.response.status_code", async () => {
    telemetry.reset();
    const refused = Object.assign(new Error('relation "nope" does not exist'), {
      name: "PostgresError",
      code: "42P01",
    });
    const query = tracedQuery(
      async () => {
        throw refused;
      },
      { host: "db", port: 5432, database: "o11ylab" },
    );
    await expect(query`SELECT * FROM nope`).rejects.toBe(refused);
    const span = telemetry.spans()[0];
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toMatchObject({ "error.type": "42P01", "db.response.status_code": "42P01" });
    expect(await telemetry.points("db.client.operation.duration")).toContainEqual(
      expect.objectContaining({ "db.query.summary": "SELECT nope", "db.response.status_code": "42P01" }),
    );
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
      expect(line.attributes).toBeUndefined();
      expect(line.trace_id).toBe(span.spanContext().traceId);
      expect(line.span_id).toBe(span.spanContext().spanId);
      span.end();
    });
  });
  test("a log call's attributes become the OTLP record's attributes (and the JSON line's), not its body", () => {
    telemetry.reset();
    const lines: string[] = [];
    const log = createLog("service-b", (l) => lines.push(l));
    log.error(
      "Message published",
      { "messaging.message.id": "m-1", "messaging.kafka.offset": 7 },
      new RangeError("late"),
    );
    const [record] = telemetry.logRecords();
    expect(record?.body).toBe("Message published");
    expect(record?.attributes).toMatchObject({
      "messaging.message.id": "m-1",
      "messaging.kafka.offset": 7,
      "exception.type": "RangeError",
    });
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      message: "Message published",
      attributes: { "messaging.message.id": "m-1", "messaging.kafka.offset": 7 },
      error: "RangeError: late",
    });
  });
});
