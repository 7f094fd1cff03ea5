// Manual instrumentation: nothing here is traced for us. The SERVER span (services/_manual/http-server.ts),
// the PRODUCER span, their attributes and events, the metrics and the trace context carried in the Kafka
// headers are all written by hand with the API; `serve` hands this role a raw kafkajs producer.
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import {
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
  MESSAGING_SYSTEM_VALUE_KAFKA,
  METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
} from "@opentelemetry/semantic-conventions/incubating";
import { HttpError } from "../../src/errors.ts";
import { brokerAnswers, ensureTopic, groupLag, sendRetryingRefusals, TOPIC } from "../../src/kafka.ts";
import { VERSION } from "../../src/version.ts";
import { type Handler, handInstrumentedServer } from "../_manual/http-server.ts";
import { brokerAddress } from "../_manual/kafka.ts";
import type { Deps, EnqueueAnswer, EnqueueRequest, EventPayload } from "./model.ts";

export interface ServiceB {
  enqueue(request: EnqueueRequest): Promise<EnqueueAnswer>;
  /** This role's own SERVER span around its HTTP handler (`serve` uses it instead of the auto wrapper). */
  serverSpans(handler: Handler, routeOf: (request: Request) => string | undefined): Handler;
  ready(): Promise<Record<string, string>>;
  start(): void;
  stop(): Promise<void>;
}

export function createService({ producer, admin, log, config }: Deps): ServiceB {
  // Taken when the service is built, after `serve` started the SDK: the metrics API has no proxy, so a
  // meter taken at import time would stay a no-op forever.
  const tracer = trace.getTracer("service-b", VERSION);
  const meter = metrics.getMeter("service-b", VERSION);
  const messages = meter.createCounter("service_b.messages", { unit: "{message}", description: "Messages enqueued." });
  const kafkaDuration = meter.createHistogram("service_b.kafka.duration", {
    unit: "s",
    description: "Time for Kafka to acknowledge a message (acks=all).",
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
  });
  // The messaging semantic conventions' own metrics, so dashboards can treat every producer alike.
  const operationDuration = meter.createHistogram(METRIC_MESSAGING_CLIENT_OPERATION_DURATION, {
    unit: "s",
    description: "Duration of messaging operations initiated by a producer or consumer client.",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] },
  });
  const sentMessages = meter.createCounter(METRIC_MESSAGING_CLIENT_SENT_MESSAGES, {
    unit: "{message}",
    description: "Messages a producer attempted to send.",
  });
  // service-c's lag, measured here from the broker (committed offsets vs high watermarks): a consumer
  // cannot report its own lag while it is down, which is exactly when it matters.
  const consumerLag = meter.createObservableGauge("service_c.consumer.lag", {
    unit: "{message}",
    description: "Messages on the topic not yet committed by service-c's consumer group, per partition.",
  });
  let connected = false;
  let stopped = false;
  consumerLag.addCallback(async (result) => {
    if (!connected) return;
    const lag = await groupLag(admin).catch(() => new Map<number, number>());
    for (const [partition, value] of lag) result.observe(value, { topic: TOPIC, partition: String(partition) });
  });

  /** Connects and makes sure the topic exists, retrying in the background until Kafka is there. */
  async function connect(): Promise<void> {
    while (!connected && !stopped) {
      try {
        await ensureTopic(admin);
        await producer.connect();
        connected = true;
        log.info(`Kafka producer connected to ${config.brokers.join(",")}, topic ${TOPIC}`);
      } catch (error) {
        log.warn(`Kafka not ready yet, retrying: ${(error as Error).message}`);
        await Bun.sleep(2000);
      }
    }
  }

  async function publish(payload: EventPayload): Promise<{ partition: number; offset: string }> {
    const value = JSON.stringify(payload);
    const attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_KAFKA,
      [ATTR_MESSAGING_DESTINATION_NAME]: TOPIC,
      [ATTR_MESSAGING_OPERATION_NAME]: "send",
      [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
      ...brokerAddress(config.brokers[0] ?? ""),
    };
    // A PRODUCER span, and the context injected into the headers is THIS span's: service-c's
    // CONSUMER span becomes its child, which is what lets the service graph draw b → c.
    return tracer.startActiveSpan(
      `send ${TOPIC}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          ...attributes,
          [ATTR_MESSAGING_MESSAGE_ID]: payload.id,
          [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: payload.trace_id,
          [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: Buffer.byteLength(value),
        },
      },
      async (span) => {
        const headers: Record<string, string> = { source: "service-b" };
        propagation.inject(context.active(), headers);
        const started = performance.now();
        let errorType: string | undefined;
        try {
          if (!connected) throw new Error("producer not connected yet");
          const record = { topic: TOPIC, acks: -1, messages: [{ key: payload.trace_id, value, headers }] };
          const [ack] = await withTimeout(
            sendRetryingRefusals(() => producer.send(record), started + config.timeoutMs),
            config.timeoutMs,
          );
          const result = { partition: ack?.partition ?? 0, offset: ack?.baseOffset ?? "" };
          span.setAttributes({
            [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(result.partition),
            [ATTR_MESSAGING_KAFKA_OFFSET]: Number(result.offset),
          });
          span.addEvent("message acknowledged", { "lab.acks": "all" });
          kafkaDuration.record((performance.now() - started) / 1000, { operation: "publish", topic: TOPIC });
          return result;
        } catch (error) {
          errorType = error instanceof TimeoutError ? "timeout" : ((error as Error).name ?? "Error");
          span.recordException(error as Error);
          span.setAttribute(ATTR_ERROR_TYPE, errorType);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          // Nothing is retried that might have been written (src/kafka.ts), so no retry publishes it later; but a
          // request the broker already holds may still be appended, once. The answer says so.
          throw error instanceof TimeoutError
            ? HttpError.dependency(
                "kafka",
                "timeout",
                `kafka did not acknowledge message ${payload.id} within ${config.timeoutMs} ms; it may still be published once`,
              )
            : HttpError.dependency("kafka", "unavailable", `kafka unavailable: ${(error as Error).message}`);
        } finally {
          const seconds = (performance.now() - started) / 1000;
          const outcome = errorType ? { [ATTR_ERROR_TYPE]: errorType } : {};
          operationDuration.record(seconds, { ...attributes, ...outcome });
          sentMessages.add(1, { ...attributes, ...outcome });
          span.end();
        }
      },
    );
  }

  return {
    serverSpans: handInstrumentedServer(tracer, meter),
    start() {
      void connect();
    },
    async stop() {
      stopped = true;
      await Promise.all([producer.disconnect().catch(() => {}), admin.disconnect().catch(() => {})]);
    },
    async ready() {
      return { kafka: connected ? await brokerAnswers(admin) : "not connected" };
    },

    async enqueue(request) {
      return tracer.startActiveSpan("service_b.enqueue", async (span): Promise<EnqueueAnswer> => {
        try {
          const traceId = request.trace_id || span.spanContext().traceId;
          const payload: EventPayload = {
            id: crypto.randomUUID(),
            message: request.message,
            trace_id: traceId,
            timestamp: new Date().toISOString(),
            source: "service-b",
          };
          span.setAttributes({ "lab.message.id": payload.id, "lab.message.length": request.message.length });
          log.info("Publishing message to Kafka", { [ATTR_MESSAGING_MESSAGE_ID]: payload.id });
          const { partition, offset } = await publish(payload);
          messages.add(1, { operation: "enqueue", status: "success" });
          log.info(`Message published to partition ${partition} at offset ${offset}`, {
            [ATTR_MESSAGING_MESSAGE_ID]: payload.id,
            [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
            [ATTR_MESSAGING_KAFKA_OFFSET]: Number(offset),
          });
          return {
            status: "success",
            service: "service-b",
            message: "Message enqueued to Kafka",
            id: payload.id,
            trace_id: traceId,
            partition,
            offset,
          };
        } catch (error) {
          messages.add(1, { operation: "enqueue", status: "error" });
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          log.error(`Failed to enqueue: ${(error as Error).message}`);
          throw error;
        } finally {
          span.end();
        }
      });
    },
  };
}

class TimeoutError extends Error {
  override name = "TimeoutError";
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: Timer | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
