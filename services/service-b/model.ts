import type { Admin, Producer } from "kafkajs";
import type { Log } from "../../src/ports.ts";

/** What service-b is given by `serve`: a raw kafkajs producer. Every span and metric here is hand-written. */
export interface Deps {
  producer: Producer;
  admin: Admin;
  log: Log;
  config: { brokers: string[]; timeoutMs: number };
}

/** The body of POST /enqueue. */
export interface EnqueueRequest {
  message: string;
  trace_id?: string;
}

/** What travels through Kafka as the message value. */
export interface EventPayload {
  id: string;
  message: string;
  trace_id: string;
  timestamp: string;
  source: "service-b";
}

export interface EnqueueAnswer {
  status: "success";
  service: "service-b";
  message: string;
  id: string;
  trace_id: string;
  partition: number;
  offset: string;
}
