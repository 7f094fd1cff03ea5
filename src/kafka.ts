import { type Admin, Kafka, logLevel } from "kafkajs";
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

/** A kafkajs client whose own log lines go to the role's logger (warnings and errors only). */
export function createKafka(clientId: string, brokers: string[], log: Log): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 5000 },
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
 * its first messages). Idempotent: an existing topic is left alone.
 */
export async function ensureTopic(admin: Admin): Promise<void> {
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(TOPIC)) {
      await admin.createTopics({
        topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }],
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}
