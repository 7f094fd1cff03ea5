import type { Fetch, Log, Query } from "../../src/ports.ts";

/** What service-a is given by `serve`: a traced fetch and SQL client (auto), plus its own API calls (hybrid). */
export interface Deps {
  fetch: Fetch;
  sql: Query;
  /** The same database, untraced: for the background check that tells when Postgres is back (a probe, not telemetry). */
  probeSql: Query;
  log: Log;
  config: {
    serviceBUrl: string;
    serviceDUrl: string;
    thirdPartyUrl?: string;
    timeoutMs: number;
    thirdPartyTimeoutMs: number;
    dbTimeoutMs: number;
  };
}

export interface ProcessAnswer {
  status: "success";
  service: "service-a";
  trace_id: string;
  duration_ms: number;
  data: {
    log_id: number;
    recent_requests: number;
    third_party: string;
    service_d: unknown;
    service_b: unknown;
  };
}

export interface StatsAnswer {
  service: "service-a";
  stats: {
    total_requests: number;
    completed: number;
    failed: number;
    avg_duration_ms: number | null;
    max_duration_ms: number | null;
  };
}
