import { describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from "kafkajs";
import { memoryLog, mount } from "../../test/support/http.ts";
import { testTelemetry } from "../../test/support/telemetry.ts";
import { createApp } from "./app.ts";
import { createService, kafkaHeaderGetter, RecentIds, workMs } from "./service.ts";

const telemetry = testTelemetry();

const consumer = { on: () => () => {}, events: { GROUP_JOIN: "join", CRASH: "crash" } } as unknown as Consumer;
const admin = {} as Admin;

function message(offset: string, value: object, headers: Record<string, Buffer> = {}): KafkaMessage {
  return {
    key: null,
    value: Buffer.from(JSON.stringify(value)),
    timestamp: "0",
    attributes: 0,
    offset,
    size: 0,
    headers,
  } as unknown as KafkaMessage;
}

describe("service-c", () => {
  test("the CONSUMER span continues the trace carried in the Kafka headers", async () => {
    telemetry.reset();
    const service = createService(
      { consumer, admin, log: memoryLog(), config: { brokers: ["kafka:9092"] } },
      async () => {},
    );
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const producerSpanId = "00f067aa0ba902b7";
    await service.handle(
      message(
        "5",
        { id: "m1", message: "hi", source: "service-b" },
        { traceparent: Buffer.from(`00-${traceId}-${producerSpanId}-01`) },
      ),
      2,
    );
    const spans = telemetry.spans();
    const consumerSpan = spans.find((s) => s.kind === SpanKind.CONSUMER);
    expect(consumerSpan?.name).toBe("process o11y-lab-events");
    expect(consumerSpan?.spanContext().traceId).toBe(traceId);
    expect(consumerSpan?.parentSpanContext?.spanId).toBe(producerSpanId);
    expect(consumerSpan?.attributes["messaging.destination.partition.id"]).toBe("2");
    expect(consumerSpan?.links.map((l) => l.context.spanId)).toEqual([producerSpanId]);
    expect(consumerSpan?.attributes).toMatchObject({ "server.address": "kafka", "server.port": 9092 });
    const children = spans.filter((s) => s.parentSpanContext?.spanId === consumerSpan?.spanContext().spanId);
    expect(children.map((s) => s.name).sort()).toEqual([
      "service_c.business_logic",
      "service_c.transform",
      "service_c.validate",
    ]);
  });

  test("a message that fails processing: ERROR span, and error.type on messaging.process.duration", async () => {
    telemetry.reset();
    const service = createService(
      { consumer, admin, log: memoryLog(), config: { brokers: ["kafka:9092"] } },
      async () => {
        throw new RangeError("work failed");
      },
    );
    await service.handle(message("9", { id: "bad", message: "x" }), 1);
    const span = telemetry.spans().find((s) => s.kind === SpanKind.CONSUMER);
    expect(span?.status.code).toBe(2);
    expect(span?.attributes["error.type"]).toBe("RangeError");
    expect(await telemetry.points("messaging.process.duration")).toContainEqual(
      expect.objectContaining({ "error.type": "RangeError", "messaging.operation.type": "process" }),
    );
  });

  test("a redelivered message is noticed and not processed twice", async () => {
    const service = createService(
      { consumer, admin, log: memoryLog(), config: { brokers: ["kafka:9092"] } },
      async () => {},
    );
    await service.handle(message("1", { id: "same", message: "a" }), 0);
    await service.handle(message("1", { id: "same", message: "a" }), 0);
    await service.handle(message("2", { id: "other", message: "b" }), 0);
    expect(await service.stats()).toMatchObject({
      messages_received: 3,
      messages_processed: 2,
      messages_redelivered: 1,
    });
    const { body } = await mount("service-c", createApp(service))("/stats");
    expect(body).toMatchObject({ service: "service-c", messages_processed: 2, topic: "o11y-lab-events" });
  });

  test("each batch: a chunk is processed together, then resolved and committed past", async () => {
    const calls: string[] = [];
    let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
    const running = {
      on: () => () => {},
      events: { GROUP_JOIN: "join", CRASH: "crash" },
      connect: async () => {},
      subscribe: async () => {},
      disconnect: async () => {},
      commitOffsets: async (offsets: Array<{ offset: string }>) => void calls.push(`commit ${offsets[0]?.offset}`),
      run: async (config: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
        eachBatch = config.eachBatch;
      },
    } as unknown as Consumer;
    const withTopic = {
      connect: async () => {},
      disconnect: async () => {},
      listTopics: async () => ["o11y-lab-events"],
    };
    const service = createService(
      {
        consumer: running,
        admin: withTopic as unknown as Admin,
        log: memoryLog(),
        config: { brokers: ["kafka:9092"] },
      },
      async () => {},
    );
    service.start();
    await Bun.sleep(10);
    await eachBatch?.({
      batch: {
        topic: "o11y-lab-events",
        partition: 0,
        highWatermark: "12",
        messages: [message("10", { id: "x" }), message("11", { id: "y" })],
      },
      resolveOffset: (offset: string) => void calls.push(`resolve ${offset}`),
      heartbeat: async () => {},
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
    await service.stop();
    expect(calls).toEqual(["resolve 11", "commit 12"]);
    // The fake admin cannot answer for the broker: lag is unknown, not 0.
    expect(await service.stats()).toMatchObject({ messages_processed: 2, lag: null });
  });

  test("an unreadable message is dead-lettered: counted, logged, and the partition moves on", async () => {
    const log = memoryLog();
    const service = createService({ consumer, admin, log, config: { brokers: ["kafka:9092"] } }, async () => {});
    await service.handle({ ...message("3", {}), value: Buffer.from("{not json") }, 1);
    expect(await service.stats()).toMatchObject({ messages_dead_lettered: 1, messages_processed: 0 });
    expect(log.lines.some((l) => l.startsWith("error Dead-lettered the message at partition 1, offset 3"))).toBe(true);
  });

  test("helpers: header getter, simulated work, bounded id memory", () => {
    expect(kafkaHeaderGetter.get({ a: [Buffer.from("x"), Buffer.from("y")] }, "a")).toBe("x");
    expect(kafkaHeaderGetter.get({}, "a")).toBeUndefined();
    expect(workMs("250")).toBe(150);
    const ids = new RecentIds(2);
    expect([ids.add("a"), ids.add("b"), ids.add("a"), ids.add("c"), ids.add("a")]).toEqual([
      true,
      true,
      false,
      true,
      true,
    ]);
  });
});
