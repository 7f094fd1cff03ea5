import { describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import type { Admin, Message, Producer, ProducerRecord } from "kafkajs";
import { readConfig } from "../../src/serve/config.ts";
import { serveRole } from "../../src/serve/server.ts";
import { createLog } from "../../src/telemetry/logger.ts";
import { memoryLog, mount } from "../../test/support/http.ts";
import { testTelemetry } from "../../test/support/telemetry.ts";
import { createApp } from "./app.ts";
import { createService } from "./service.ts";

const telemetry = testTelemetry();

/** A producer stand-in that acknowledges (or refuses) what it is sent. */
function fakeKafka(fail?: Error) {
  const sent: Message[] = [];
  const producer = {
    connect: async () => {},
    disconnect: async () => {},
    send: async (record: ProducerRecord) => {
      if (fail) throw fail;
      sent.push(...record.messages);
      return [{ topicName: record.topic, partition: 1, errorCode: 0, baseOffset: String(sent.length - 1) }];
    },
  } as unknown as Producer;
  const admin = {
    connect: async () => {},
    disconnect: async () => {},
    listTopics: async () => ["o11y-lab-events"],
  } as unknown as Admin;
  return { producer, admin, sent };
}

async function serviceB(fail?: Error) {
  const kafka = fakeKafka(fail);
  const service = createService({ ...kafka, log: memoryLog(), config: { brokers: ["kafka:9092"], timeoutMs: 100 } });
  service.start();
  await Bun.sleep(5);
  const call = mount("service-b", createApp(service), service.ready);
  const post = (body: string) =>
    call("/enqueue", { method: "POST", body, headers: { "content-type": "application/json" } });
  return { post, call, sent: kafka.sent, service };
}

describe("service-b", () => {
  test("publishes with acks, and the traceparent header comes from the PRODUCER span", async () => {
    telemetry.reset();
    const { post, sent, service } = await serviceB();
    const { status, body } = await post(JSON.stringify({ message: "hello", trace_id: "t1" }));
    await service.stop();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "success", service: "service-b", trace_id: "t1", partition: 1 });
    const headers = sent[0]?.headers as Record<string, string>;
    const producer = telemetry.spans().find((s) => s.kind === SpanKind.PRODUCER);
    expect(producer?.name).toBe("send o11y-lab-events");
    expect(headers.traceparent).toBe(`00-${producer?.spanContext().traceId}-${producer?.spanContext().spanId}-01`);
    expect(JSON.parse(String(sent[0]?.value))).toMatchObject({ message: "hello", trace_id: "t1", source: "service-b" });
    expect(await telemetry.metricNames()).toEqual(
      expect.arrayContaining(["service_b.messages", "service_b.kafka.duration", "messaging.client.operation.duration"]),
    );
  });

  test("its SERVER span is its own (scope service-b, not the auto wrapper's) and continues the caller's trace", async () => {
    telemetry.reset();
    const kafka = fakeKafka();
    const log = createLog("service-b", () => {});
    const service = createService({ ...kafka, log, config: { brokers: ["kafka:9092"], timeoutMs: 100 } });
    const config = { ...readConfig("service-b", {}), host: "127.0.0.1", port: 0 };
    const assembled = { app: createApp(service), instrument: service.serverSpans, ...service };
    const running = serveRole("service-b", config, assembled, log, { enabled: true, shutdown: async () => {} });
    await Bun.sleep(5);
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const response = await fetch(`http://127.0.0.1:${running.server.port}/enqueue`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ message: "hello" }),
    });
    await running.shutdown();
    expect(response.status).toBe(200);
    const spans = telemetry.spans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server?.name).toBe("POST /enqueue");
    expect(server?.instrumentationScope.name).toBe("service-b");
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(server?.attributes).toMatchObject({ "server.address": "127.0.0.1", "http.response.status_code": 200 });
    expect(spans.every((s) => s.instrumentationScope.name === "service-b")).toBe(true);
    const producer = spans.find((s) => s.kind === SpanKind.PRODUCER);
    expect(producer?.spanContext().traceId).toBe(traceId);
    expect(producer?.attributes).toMatchObject({ "server.address": "kafka", "server.port": 9092 });
    const points = await telemetry.points("http.server.request.duration");
    expect(points).toContainEqual(
      expect.objectContaining({ "http.route": "/enqueue", "http.response.status_code": 200 }),
    );
  });

  test("bad bodies are 400s naming the field, and nothing is sent", async () => {
    const { post, sent, service } = await serviceB();
    const cases: Array<[string, string]> = [
      ["{not json", "body"],
      ["{}", "message"],
      [JSON.stringify({ message: "" }), "message"],
      [JSON.stringify({ message: 5 }), "message"],
      [JSON.stringify({ message: "x", trace_id: 9 }), "trace_id"],
    ];
    for (const [input, field] of cases) {
      const { status, body } = await post(input);
      expect({ input, status, field: body.field }).toEqual({ input, status: 400, field });
    }
    await service.stop();
    expect(sent).toHaveLength(0);
  });

  test("Kafka refusing → 503 naming kafka and an ERROR producer span", async () => {
    telemetry.reset();
    const { post, service } = await serviceB(new Error("Connection error: ECONNREFUSED"));
    const { status, body } = await post(JSON.stringify({ message: "hello" }));
    await service.stop();
    expect([status, body.dependency]).toEqual([503, "kafka"]);
    expect(telemetry.spans().find((s) => s.kind === SpanKind.PRODUCER)?.status.code).toBe(2);
  });
});
