import type { Counter, Fetch, Log } from "../../src/ports.ts";

/** What the gateway is given by `serve`. No telemetry code here: the root instruments it from outside. */
export interface Deps {
  fetch: Fetch;
  log: Log;
  metrics: { requests: Counter };
  config: { serviceAUrl: string; timeoutMs: number };
}

/** The business metrics the gateway declares; `serve` creates them. */
export const METRICS = {
  requests: { kind: "counter", name: "gateway.requests", unit: "{request}", description: "Requests the gateway took." },
} as const;

export interface ProcessAnswer {
  status: "success";
  service: "api-gateway";
  message: string;
  trace_id?: string;
  data: unknown;
}
