// Manual instrumentation of a Kafka consumer: the trace context is read back out of the message
// headers by hand, and the CONSUMER span continues the producer's trace and links to it. The SERVER
// span of its small HTTP API is hand-written too (services/_manual/http-server.ts).
import {
  type Context,
  context,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_SYSTEM_VALUE_KAFKA,
  METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES,
  METRIC_MESSAGING_PROCESS_DURATION,
} from "@opentelemetry/semantic-conventions/incubating";
import type { EachBatchPayload, IHeaders, KafkaMessage } from "kafkajs";
import { brokerAnswers, CONSUMER_GROUP, ensureTopic, groupLag, TOPIC } from "../../src/kafka.ts";
import { VERSION } from "../../src/version.ts";
import { type Handler, handInstrumentedServer } from "../_manual/http-server.ts";
import { brokerAddress } from "../_manual/kafka.ts";
import type { Deps, StatsAnswer } from "./model.ts";

/** Kafka headers arrive as Buffers (or arrays of them): this getter is the hand-written half of propagation. */
export const kafkaHeaderGetter: TextMapGetter<IHeaders> = {
  keys: (headers) => Object.keys(headers),
  get(headers, key) {
    const value = headers[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** The simulated work per message, as in the original lab: 100 ms plus offset mod 200. */
export function workMs(offset: string): number {
  return 100 + (Number(offset) % 200);
}

/** Remembers recently processed message ids, so a redelivery (at-least-once) is noticed, not counted twice. */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 10_000) {}
  /** True when the id is new (and records it); false for a redelivery. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}

/** Messages of one partition processed at once: the simulated work overlaps, the commit follows the chunk. */
export const CHUNK = 16;

export interface ServiceC {
  stats(): Promise<StatsAnswer>;
  ready(): Promise<Record<string, string>>;
  start(): void;
  stop(): Promise<void>;
  /** This role's own SERVER span around its HTTP handler (`serve` uses it instead of the auto wrapper). */
  serverSpans(handler: Handler, routeOf: (request: Request) => string | undefined): Handler;
  /** Processes one message: exposed so unit tests can drive it without a broker. */
  handle(message: KafkaMessage, partition: number): Promise<void>;
}

export function createService(
  { consumer, admin, log, config }: Deps,
  sleep: (ms: number) => Promise<void> = Bun.sleep,
): ServiceC {
  // Taken when the service is built, after `serve` started the SDK: the metrics API has no proxy, so a
  // meter taken at import time would stay a no-op forever.
  const tracer = trace.getTracer("service-c", VERSION);
  const meter = metrics.getMeter("service-c", VERSION);
  const processedCounter = meter.createCounter("service_c.messages_processed", {
    unit: "{message}",
    description: "Messages processed, by source and outcome.",
  });
  const processingDuration = meter.createHistogram("service_c.processing.duration", {
    unit: "s",
    description: "Time to process one message.",
    advice: { explicitBucketBoundaries: [0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2.5] },
  });
  const processDuration = meter.createHistogram(METRIC_MESSAGING_PROCESS_DURATION, {
    unit: "s",
    description: "Duration of processing operations.",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] },
  });
  const consumedMessages = meter.createCounter(METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES, {
    unit: "{message}",
    description: "Messages delivered to the consumer.",
  });
  const counts = { received: 0, processed: 0, redelivered: 0, dead_lettered: 0 };
  const seen = new RecentIds();
  const inFlight = new Set<Promise<void>>();
  let joined = false;
  let stopped = false;

  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  // kafkajs restarts the consumer after a retriable crash only; after any other ("coordinator is not aware
  // of this member") it stays down for good. Either way this consumer comes back by itself.
  consumer.on(consumer.events.CRASH, (event) => {
    joined = false;
    const { error, restart } = event.payload;
    log.warn(`Kafka consumer crashed (${error.message}); ${restart ? "kafkajs restarts it" : "restarting it"}`);
    if (!restart && !stopped) void sleep(1000).then(run);
  });

  async function businessLogic(payload: { message?: unknown; source?: unknown }, offset: string): Promise<void> {
    await tracer.startActiveSpan("service_c.business_logic", async (span) => {
      try {
        await sleep(workMs(offset));
      } finally {
        span.end();
      }
    });
    // Transformation and validation are siblings under the CONSUMER span (the original nested them by accident).
    tracer.startActiveSpan("service_c.transform", (span) => {
      span.setAttribute("lab.processor", "service-c");
      span.end();
    });
    tracer.startActiveSpan("service_c.validate", (span) => {
      const passed = typeof payload.message === "string" && payload.message.length > 0;
      span.setAttribute("lab.validation.passed", passed);
      if (!passed) {
        span.addEvent("validation failed", { "lab.reason": "empty message" });
        log.warn("Validation failed: empty message");
      }
      span.end();
    });
  }

  async function handle(message: KafkaMessage, partition: number): Promise<void> {
    const parent: Context = propagation.extract(context.active(), message.headers ?? {}, kafkaHeaderGetter);
    // The message's creation context: the parent (one trace through the lab) and, as the messaging
    // conventions ask of a process span, a link too, which survives when a backend splits the trace.
    const creation = trace.getSpanContext(parent);
    const attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_KAFKA,
      [ATTR_MESSAGING_DESTINATION_NAME]: TOPIC,
      [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: CONSUMER_GROUP,
      [ATTR_MESSAGING_OPERATION_NAME]: "process",
      [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
      ...brokerAddress(config.brokers[0] ?? ""),
    };
    counts.received++;
    consumedMessages.add(1, attributes);
    const started = performance.now();
    await tracer.startActiveSpan(
      `process ${TOPIC}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...attributes,
          [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
          [ATTR_MESSAGING_KAFKA_OFFSET]: Number(message.offset),
          [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: message.value?.length ?? 0,
        },
        links: creation ? [{ context: creation }] : [],
      },
      parent,
      async (span) => {
        let outcome = "success";
        let errorType: string | undefined;
        let source = "unknown";
        try {
          const payload = JSON.parse(message.value?.toString() ?? "{}") as {
            id?: string;
            message?: unknown;
            source?: unknown;
          };
          source = typeof payload.source === "string" ? payload.source : "unknown";
          if (payload.id) span.setAttribute(ATTR_MESSAGING_MESSAGE_ID, payload.id);
          // The ids a learner filters on in Loki: record attributes (structured metadata), not words in the line.
          const ids = {
            ...(payload.id ? { [ATTR_MESSAGING_MESSAGE_ID]: payload.id } : {}),
            [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
            [ATTR_MESSAGING_KAFKA_OFFSET]: Number(message.offset),
          };
          log.info(`Processing message from Kafka, partition ${partition}, offset ${message.offset}`, ids);
          if (payload.id && !seen.add(payload.id)) {
            outcome = "redelivered";
            counts.redelivered++;
            span.addEvent("redelivery skipped", { [ATTR_MESSAGING_MESSAGE_ID]: payload.id });
            log.warn("Message delivered again; already processed, skipping", ids);
            return;
          }
          await businessLogic(payload, message.offset);
          counts.processed++;
          span.setStatus({ code: SpanStatusCode.OK });
          log.info(`Message processed in ${((performance.now() - started) / 1000).toFixed(3)}s`, ids);
        } catch (error) {
          // Only a message that cannot be read gets here (the work itself cannot fail): retrying it would fail
          // the same way, so it is set aside, counted and logged, and the partition moves on.
          outcome = "dead_letter";
          counts.dead_lettered++;
          errorType = (error as Error).name;
          span.setAttribute(ATTR_ERROR_TYPE, errorType);
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          log.error(
            `Dead-lettered the message at partition ${partition}, offset ${message.offset}: ${(error as Error).message}`,
            {
              [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
              [ATTR_MESSAGING_KAFKA_OFFSET]: Number(message.offset),
            },
          );
        } finally {
          const seconds = (performance.now() - started) / 1000;
          processedCounter.add(1, { source, status: outcome });
          processingDuration.record(seconds, { operation: "process_message" });
          processDuration.record(seconds, { ...attributes, ...(errorType ? { [ATTR_ERROR_TYPE]: errorType } : {}) });
          span.end();
        }
      },
    );
  }

  /**
   * One batch, a chunk at a time: a chunk's messages are processed together (so the simulated work overlaps and
   * the consumer keeps up with the load tests), then the partition moves past them (resolve) and commits. A crash
   * redelivers at most the chunk in progress, and a redelivered id is noticed rather than counted twice.
   */
  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const running = consume(payload);
    inFlight.add(running);
    try {
      await running;
    } finally {
      inFlight.delete(running);
    }
  }

  async function consume({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    for (let i = 0; i < batch.messages.length; i += CHUNK) {
      if (stopped || !isRunning() || isStale()) break;
      const chunk = batch.messages.slice(i, i + CHUNK);
      await Promise.all(chunk.map((message) => handle(message, batch.partition)));
      const last = chunk[chunk.length - 1] as KafkaMessage;
      resolveOffset(last.offset);
      const next = (BigInt(last.offset) + 1n).toString();
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
      await heartbeat();
    }
  }

  async function run(): Promise<void> {
    while (!stopped) {
      try {
        await ensureTopic(admin);
        await consumer.connect();
        await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          partitionsConsumedConcurrently: 3,
          eachBatchAutoResolve: false,
          eachBatch,
        });
        log.info(`Kafka consumer running: group ${CONSUMER_GROUP}, topic ${TOPIC}`);
        return;
      } catch (error) {
        log.warn(`Kafka not ready yet, retrying: ${(error as Error).message}`);
        await consumer.disconnect().catch(() => {});
        await sleep(2000);
      }
    }
  }

  return {
    serverSpans: handInstrumentedServer(tracer, meter),
    handle,
    start() {
      void run();
    },
    async stop() {
      stopped = true;
      // Waits for the chunks in progress and their commits (kafkajs' disconnect does not wait for batches
      // processed concurrently), then leaves the group (LeaveGroup): the next member starts at once where
      // this one stopped, and nothing it processed is processed again.
      const started = performance.now();
      await Promise.all(inFlight);
      await Promise.all([consumer.disconnect().catch(() => {}), admin.disconnect().catch(() => {})]);
      log.info(`Kafka consumer committed and left its group in ${Math.round(performance.now() - started)} ms`);
    },
    async ready() {
      return { kafka: joined ? await brokerAnswers(admin) : "not in consumer group yet" };
    },
    async stats() {
      const lag = await groupLag(admin).catch(() => undefined);
      return {
        service: "service-c",
        messages_received: counts.received,
        messages_processed: counts.processed,
        messages_redelivered: counts.redelivered,
        messages_dead_lettered: counts.dead_lettered,
        consumer_group: CONSUMER_GROUP,
        topic: TOPIC,
        lag: lag ? [...lag.values()].reduce((a, b) => a + b, 0) : null,
      };
    },
  };
}
