import type { Admin, Consumer } from "kafkajs";
import type { Log } from "../../src/ports.ts";

/** What service-c is given by `serve`: a raw kafkajs consumer. Every span and metric here is hand-written. */
export interface Deps {
  consumer: Consumer;
  admin: Admin;
  log: Log;
  config: { brokers: string[] };
}

export interface StatsAnswer {
  service: "service-c";
  messages_received: number;
  messages_processed: number;
  messages_redelivered: number;
  messages_dead_lettered: number;
  consumer_group: string;
  topic: string;
  /** From the broker (committed offsets vs high watermarks); null while the broker does not answer. */
  lag: number | null;
}
