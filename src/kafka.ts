import { type Admin, type ConsumerConfig, Kafka, logLevel, type ProducerConfig, type RetryOptions } from "kafkajs";
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";
import type { Log } from "./ports.ts";

/** The one topic of the lab: service-b publishes to it, service-c consumes it. */
export const TOPIC = "o11y-lab-events";
/** service-c's consumer group. */
export const CONSUMER_GROUP = "service-c-consumer";

/**
 * kafkajs 2.2.4 re-arms a timer every millisecond while a connection is idle (throttledUntil is -1, so
 * its delay is negative): a busy loop that burns CPU in every idle producer and consumer and prints
 * TimeoutNegativeWarning (kafkajs issues #1556, #1704, #1751; unreleased upstream). Only schedule a
 * check when a request is waiting or a broker throttle is running out.
 */
RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheck(this: RequestQueue) {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && untilUnthrottled <= 0) return;
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : 10,
  );
};

/**
 * kafkajs 2.2.4 also runs a 100 ms interval per connection for its whole life, to time out requests in flight: with
 * nothing in flight it wakes an idle role ten times a second per broker connection (producer, consumer and admin each
 * hold some), most of service-b's and service-c's idle CPU. The same check runs here only while a request is in flight or waiting.
 */
RequestQueue.prototype.scheduleRequestTimeoutCheck = function onConnect(this: RequestQueue) {
  this.destroy();
  this.requestTimeoutIntervalId = null;
};
const push = RequestQueue.prototype.push;
RequestQueue.prototype.push = function pushAndWatch(this: RequestQueue, request: unknown) {
  push.call(this, request);
  if (!this.enforceRequestTimeout || this.requestTimeoutIntervalId) return;
  this.requestTimeoutIntervalId = setInterval(
    () => {
      for (const inflight of this.inflight.values()) {
        if (Date.now() - inflight.sentAt > inflight.requestTimeout) inflight.timeoutRequest();
      }
      if (this.isConnected() && (this.inflight.size > 0 || this.pending.length > 0)) return;
      clearInterval(this.requestTimeoutIntervalId ?? undefined);
      this.requestTimeoutIntervalId = null;
    },
    // kafkajs checks every 100 ms; against budgets of 10 s and more a request may as well time out up to 1 s late,
    // and the consumer, whose fetch is always in flight, wakes once a second instead of ten times.
    Math.min(this.requestTimeout, 1000),
  );
};

/**
 * service-b's producer: kafkajs never retries (retries 0), acks=all. A retried send that had in fact reached
 * the broker would publish the message twice, and a retry running on after the HTTP answer would publish it
 * after a 504: service-b retries only what the broker refused outright (sendRetryingRefusals), within the
 * request's time. (kafkajs' idempotent producer requires unlimited retries, so it cannot bound a send in time.)
 */
export const PRODUCER_OPTIONS: ProducerConfig = {
  allowAutoTopicCreation: false,
  retry: { retries: 0 },
};

/**
 * service-c's consumer. A fetch waits at most 1 s for data (kafkajs' default 5 s outlasts the shutdown
 * budget, so LeaveGroup was never sent); a member that died without leaving is replaced within 10 s.
 */
export const CONSUMER_OPTIONS: ConsumerConfig = {
  groupId: CONSUMER_GROUP,
  allowAutoTopicCreation: false,
  maxWaitTimeInMs: 1000,
  sessionTimeout: 10_000,
  // A third of the session timeout, as Kafka advises: a heartbeat a second was a request a second at idle.
  heartbeatInterval: 3000,
};

/** Broker answers that mean "not written": sending again cannot publish the message twice. */
const REFUSED = new Set([
  "NOT_LEADER_FOR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "UNKNOWN_TOPIC_OR_PARTITION",
  "NOT_ENOUGH_REPLICAS",
  "BROKER_NOT_AVAILABLE",
]);

/** True when the send was refused before anything was written (kafkajs nests the cause). */
export function refusedUnwritten(error: unknown): boolean {
  for (let e = error as { type?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as never) {
    if (REFUSED.has(e.type ?? "") || /ECONNREFUSED/.test(e.message ?? "")) return true;
  }
  return false;
}

/**
 * One send, retried (three attempts at most, before `deadline`, performance.now() ms) only while the broker
 * refuses it outright (a leader moving after a restart, a broker not up yet): what might have been written is
 * never sent again.
 */
export async function sendRetryingRefusals<T>(send: () => Promise<T>, deadline: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const wait = 100 * attempt;
      // Three attempts: enough for a leader to move; a broker that stays away is a 503, not a wait.
      if (attempt >= 3 || !refusedUnwritten(error) || performance.now() + wait >= deadline) throw error;
      await Bun.sleep(wait);
    }
  }
}

/** Rejects when `promise` takes longer than `ms`: a paused broker answers nothing, ever. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness of the broker itself: a metadata round trip within a second ("ok", or what is wrong). */
export async function brokerAnswers(admin: Admin): Promise<string> {
  try {
    await within(
      admin.connect().then(() => admin.describeCluster()),
      1000,
      "kafka",
    );
    return "ok";
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The consumer group's lag per partition, from the broker: high watermark minus committed offset. Measured
 * this way it keeps rising while service-c is down, where a consumer's own count would stop with it.
 */
export async function groupLag(admin: Admin): Promise<Map<number, number>> {
  return within(
    (async () => {
      await admin.connect();
      const [high, committed] = await Promise.all([
        admin.fetchTopicOffsets(TOPIC),
        admin.fetchOffsets({ groupId: CONSUMER_GROUP, topics: [TOPIC] }),
      ]);
      const done = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]));
      return new Map(
        high.map((p) => {
          const offset = done.get(p.partition);
          const from = offset === undefined || offset === "-1" ? p.low : offset;
          return [p.partition, Math.max(0, Number(BigInt(p.high) - BigInt(from)))];
        }),
      );
    })(),
    1000,
    "kafka lag",
  );
}

/** How a client retries reaching the cluster (connections, metadata): patient, for the consumer. */
const CLIENT_RETRY: RetryOptions = { initialRetryTime: 300, retries: 8, maxRetryTime: 5000 };
/**
 * The producer's client gives up on an unreachable cluster within about a second: a send to a broker that is
 * gone is a prompt 503, not a 504 after the whole request budget spent on reconnects.
 */
export const PRODUCER_CLIENT_RETRY: RetryOptions = { initialRetryTime: 100, retries: 2, maxRetryTime: 500 };

/** A kafkajs client whose own log lines go to the role's logger (warnings and errors only). */
export function createKafka(clientId: string, brokers: string[], log: Log, retry = CLIENT_RETRY): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const text = `kafka: ${entry.message}`;
        if (level === logLevel.ERROR) log.error(text);
        else log.warn(text);
      },
  });
}

/**
 * Creates the topic before anyone writes to it (the original relied on auto-creation and could lose
 * its first messages). Idempotent: an existing topic is left alone. The admin stays connected for
 * readiness and lag; the role disconnects it when it stops.
 */
export async function ensureTopic(admin: Admin): Promise<void> {
  await admin.connect();
  const existing = await admin.listTopics();
  if (!existing.includes(TOPIC)) {
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  }
}
