// Hybrid: HTTP, SQL and outgoing calls are instrumented for us by `serve`; the business view below
// (a few spans, attributes and metrics) is ours, written against the OpenTelemetry API only.
import { metrics, SpanStatusCode, trace } from "@opentelemetry/api";
import { HttpError } from "../../src/errors.ts";
import { callJson } from "../../src/http-call.ts";
import { VERSION } from "../../src/version.ts";
import { createDb, migrate } from "./db.ts";
import type { Deps, ProcessAnswer, StatsAnswer } from "./model.ts";

export interface ServiceA {
  process(): Promise<ProcessAnswer>;
  stats(): Promise<StatsAnswer>;
  ready(): Promise<Record<string, string>>;
  start(): void;
  stop(): void;
}

export function createService(
  { fetch, sql, probeSql, log, config }: Deps,
  random: () => number = Math.random,
): ServiceA {
  // Taken when the service is built, after `serve` started the SDK: the metrics API has no proxy, so a
  // meter taken at import time would stay a no-op forever.
  const tracer = trace.getTracer("service-a", VERSION);
  const meter = metrics.getMeter("service-a", VERSION);
  const processed = meter.createCounter("service_a.process", { unit: "{request}", description: "Processed requests." });
  const dbDuration = meter.createHistogram("service_a.db_query.duration", {
    unit: "s",
    description: "Time to record a request and count the last hour's.",
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] },
  });
  const externalCalls = meter.createCounter("service_a.external_calls", {
    unit: "{call}",
    description: "Calls to the third party and to downstream services.",
  });
  let schemaReady = false;
  let stopped = false;
  const db = createDb(config.dbTimeoutMs, log, probeSql);

  /** Migrations retry in the background: the service starts (and is live) before Postgres is. */
  async function ensureSchema(): Promise<void> {
    while (!schemaReady && !stopped) {
      try {
        await db(() => migrate(sql));
        schemaReady = true;
        log.info("Database schema ready");
      } catch (error) {
        log.warn(`Database not ready yet, retrying: ${(error as Error).message}`);
        await Bun.sleep(2000);
      }
    }
  }

  async function record(traceId: string): Promise<{ logId: number; recent: number }> {
    return tracer.startActiveSpan("service_a.record_request", async (span) => {
      const started = performance.now();
      try {
        if (!schemaReady)
          throw HttpError.dependency("postgres", "unavailable", "postgres unavailable (schema not ready)");
        // Count first, insert last: a request that fails on the database leaves no row behind.
        const [count] = await db(
          () => sql<{ total: string }>`SELECT COUNT(*) AS total FROM request_logs
            WHERE timestamp > now() - interval '1 hour'`,
        );
        const [row] = await db(
          () => sql<{ id: number }>`INSERT INTO request_logs (trace_id, endpoint, status, instrumentation_type)
            VALUES (${traceId}, '/process', 'started', 'hybrid') RETURNING id`,
        );
        const result = { logId: Number(row?.id), recent: Number(count?.total ?? 0) + 1 };
        span.setAttributes({ "lab.log_id": result.logId, "lab.recent_requests": result.recent });
        return result;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        dbDuration.record((performance.now() - started) / 1000, { operation: "insert_and_query" });
        span.end();
      }
    });
  }

  /** The third party is optional: its failure degrades the answer, it never fails the request. */
  async function thirdParty(): Promise<string> {
    if (!config.thirdPartyUrl) return "not configured";
    const url = config.thirdPartyUrl;
    return tracer.startActiveSpan("service_a.third_party", async (span) => {
      externalCalls.add(1, { target: "third_party_api" });
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(config.thirdPartyTimeoutMs) });
        if (!response.ok) throw new Error(`third party answered HTTP ${response.status}`);
        const text = (await response.text()).slice(0, 100);
        span.setAttribute("lab.third_party.status", "ok");
        return text;
      } catch (error) {
        log.warn(`Third-party API call failed: ${(error as Error).message}`);
        span.setAttribute("lab.third_party.status", "unavailable");
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: "third party unavailable" });
        return "unavailable";
      } finally {
        span.end();
      }
    });
  }

  async function finish(logId: number, status: string, started: number): Promise<void> {
    try {
      await db(
        () => sql`UPDATE request_logs SET status = ${status}, duration_ms = ${Math.round(performance.now() - started)}
          WHERE id = ${logId}`,
      );
    } catch (error) {
      log.warn(`Could not mark request as ${status}: ${(error as Error).message}`, { "lab.log_id": logId });
    }
  }

  return {
    start() {
      void ensureSchema();
    },
    stop() {
      stopped = true;
    },

    async ready() {
      try {
        await db(() => sql`SELECT 1`, Math.min(config.dbTimeoutMs, 1000));
        return { postgres: schemaReady ? "ok" : "schema not ready" };
      } catch (error) {
        return { postgres: (error as Error).message };
      }
    },

    async process() {
      const started = performance.now();
      const traceId = trace.getActiveSpan()?.spanContext().traceId ?? "";
      log.info("Starting process request");
      const { logId, recent } = await record(traceId);
      const third = await thirdParty();
      const value = 1 + Math.floor(random() * 100);
      externalCalls.add(2, { target: "downstream_services" });
      const [serviceD, serviceB] = await Promise.allSettled([
        callJson(fetch, {
          dependency: "service-d",
          url: `${config.serviceDUrl}/compute?value=${value}`,
          timeoutMs: config.timeoutMs,
        }),
        callJson(fetch, {
          dependency: "service-b",
          url: `${config.serviceBUrl}/enqueue`,
          timeoutMs: config.timeoutMs,
          init: {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ message: "Process request", trace_id: traceId }),
          },
        }),
      ]);
      const failed = [serviceD, serviceB].find((r) => r.status === "rejected");
      if (failed?.status === "rejected") {
        processed.add(1, { endpoint: "/process", outcome: "failed" });
        await finish(logId, "failed", started);
        throw failed.reason;
      }
      await finish(logId, "completed", started);
      processed.add(1, { endpoint: "/process", outcome: "completed" });
      const durationMs = Math.round(performance.now() - started);
      log.info(`Process request completed in ${durationMs} ms`, { "lab.log_id": logId });
      return {
        status: "success",
        service: "service-a",
        trace_id: traceId,
        duration_ms: durationMs,
        data: {
          log_id: logId,
          recent_requests: recent,
          third_party: third,
          service_d: (serviceD as PromiseFulfilledResult<unknown>).value,
          service_b: (serviceB as PromiseFulfilledResult<unknown>).value,
        },
      };
    },

    async stats() {
      const [row] = await db(
        () => sql<Record<string, string | null>>`SELECT COUNT(*) AS total_requests,
          COUNT(*) FILTER (WHERE status = 'completed') AS completed,
          COUNT(*) FILTER (WHERE status = 'failed') AS failed,
          AVG(duration_ms) AS avg_duration_ms, MAX(duration_ms) AS max_duration_ms
          FROM request_logs WHERE timestamp > now() - interval '1 hour'`,
      );
      const n = (v: string | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v)));
      return {
        service: "service-a",
        stats: {
          total_requests: n(row?.total_requests) ?? 0,
          completed: n(row?.completed) ?? 0,
          failed: n(row?.failed) ?? 0,
          avg_duration_ms: n(row?.avg_duration_ms),
          max_duration_ms: n(row?.max_duration_ms),
        },
      };
    },
  };
}
