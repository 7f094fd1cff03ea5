import type { Elysia } from "elysia";
import postgres from "postgres";
import * as gateway from "../../services/api-gateway/app.ts";
import { METRICS as GATEWAY_METRICS } from "../../services/api-gateway/model.ts";
import { createService as createGateway } from "../../services/api-gateway/service.ts";
import * as serviceA from "../../services/service-a/app.ts";
import { stepSignal } from "../../services/service-a/db.ts";
import { createService as createServiceA } from "../../services/service-a/service.ts";
import * as serviceB from "../../services/service-b/app.ts";
import { createService as createServiceB } from "../../services/service-b/service.ts";
import * as serviceC from "../../services/service-c/app.ts";
import { createService as createServiceC } from "../../services/service-c/service.ts";
import * as serviceD from "../../services/service-d/app.ts";
import { METRICS as SERVICE_D_METRICS } from "../../services/service-d/model.ts";
import { createService as createServiceD } from "../../services/service-d/service.ts";
import { CONSUMER_OPTIONS, createKafka, PRODUCER_CLIENT_RETRY, PRODUCER_OPTIONS } from "../kafka.ts";
import type { Log, Query } from "../ports.ts";
import type { RoleName } from "../roles.ts";
import { tracedFetch } from "../telemetry/fetch.ts";
import { type Handler, instrumentServer } from "../telemetry/http-server.ts";
import { tracedQuery } from "../telemetry/sql.ts";
import type { Readiness } from "./app.ts";
import type { ServeConfig } from "./config.ts";
import { createInstruments } from "./instruments.ts";

/** What puts a SERVER span around a role's handler: the auto wrapper, or the role's own hand-written one. */
export type ServerInstrumentation = (handler: Handler, routeOf: (request: Request) => string | undefined) => Handler;

/** A role, assembled: its routes, its server instrumentation, and the lifecycle of whatever it keeps running. */
export interface Assembled {
  // biome-ignore lint/suspicious/noExplicitAny: Elysia's type parameters differ per role; only .routes and .handle are used.
  app: Elysia<any, any, any, any, any, any, any>;
  instrument: ServerInstrumentation;
  ready(): Promise<Readiness>;
  start(): void;
  stop(): Promise<void>;
}

const idle = { ready: async () => ({}), start() {}, stop: async () => {} };

/**
 * The composition root's table: what each role is given. Auto roles get the server wrapper and traced
 * clients; service-a gets them too and adds its own business spans; manual roles get raw clients and
 * nothing else: their SERVER span, context propagation and metrics are their own code.
 */
export function assemble(role: RoleName, config: ServeConfig, log: Log): Assembled {
  switch (role) {
    case "api-gateway": {
      const deps = {
        fetch: tracedFetch(),
        log,
        metrics: createInstruments(role, GATEWAY_METRICS),
        config: { serviceAUrl: config.serviceAUrl, timeoutMs: config.gatewayTimeoutMs },
      };
      return {
        ...idle,
        instrument: instrumentServer,
        app: gateway.createApp(createGateway(deps), deps.config),
        ready: () => reachable("service-a", `${config.serviceAUrl}/health`),
      };
    }
    case "service-a": {
      const { sql, untraced, end } = database(config.databaseUrl, config.dbTimeoutMs);
      const service = createServiceA({
        fetch: tracedFetch(),
        sql,
        probeSql: untraced,
        log,
        config: {
          serviceBUrl: config.serviceBUrl,
          serviceDUrl: config.serviceDUrl,
          thirdPartyUrl: config.thirdPartyUrl,
          timeoutMs: config.upstreamTimeoutMs,
          thirdPartyTimeoutMs: config.thirdPartyTimeoutMs,
          dbTimeoutMs: config.dbTimeoutMs,
        },
      });
      return {
        instrument: instrumentServer,
        app: serviceA.createApp(service),
        ready: service.ready,
        start: service.start,
        async stop() {
          service.stop();
          await end();
        },
      };
    }
    case "service-b": {
      const kafka = createKafka(role, config.kafkaBrokers, log, PRODUCER_CLIENT_RETRY);
      const service = createServiceB({
        producer: kafka.producer(PRODUCER_OPTIONS),
        admin: kafka.admin(),
        log,
        config: { brokers: config.kafkaBrokers, timeoutMs: config.kafkaTimeoutMs },
      });
      return {
        instrument: service.serverSpans,
        app: serviceB.createApp(service),
        ready: service.ready,
        start: service.start,
        stop: service.stop,
      };
    }
    case "service-c": {
      const kafka = createKafka(role, config.kafkaBrokers, log);
      const service = createServiceC({
        consumer: kafka.consumer(CONSUMER_OPTIONS),
        admin: kafka.admin(),
        log,
        config: { brokers: config.kafkaBrokers },
      });
      return {
        instrument: service.serverSpans,
        app: serviceC.createApp(service),
        ready: service.ready,
        start: service.start,
        stop: service.stop,
      };
    }
    case "service-d": {
      const service = createServiceD({ log, metrics: createInstruments(role, SERVICE_D_METRICS) });
      return { ...idle, instrument: instrumentServer, app: serviceD.createApp(service) };
    }
  }
}

/** Readiness of an HTTP dependency: its liveness answers within a second (probes are not traced). */
async function reachable(name: string, url: string): Promise<Readiness> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
  return { [name]: response?.ok ? "ok" : "unreachable" };
}

/**
 * postgres.js, traced: short connect timeout so "Postgres down" is a fast 503, never a hang. The server
 * cancels a statement past the step budget (statement_timeout); a step that gives up cancels its query
 * (stepSignal), so nothing queued runs after its request was answered. Reconnects do not back off (the
 * default waits up to 20 s, delaying both the first 503 and recovery): createDb's probe is the back-off.
 */
function database(databaseUrl: string, timeoutMs: number): { sql: Query; untraced: Query; end(): Promise<void> } {
  const url = new URL(databaseUrl);
  const client = postgres(databaseUrl, {
    max: 10,
    connect_timeout: 2,
    idle_timeout: 30,
    max_lifetime: 60 * 10,
    backoff: () => 0,
    onnotice: () => {},
    connection: { application_name: "o11y-lab-service-a", statement_timeout: timeoutMs },
  });
  const raw: Query = (strings, ...values) => {
    const query = client(strings, ...values);
    stepSignal.getStore()?.addEventListener("abort", () => void Promise.resolve(query.cancel()).catch(() => {}), {
      once: true,
    });
    return query as never;
  };
  return {
    sql: tracedQuery(raw, {
      host: url.hostname,
      port: Number(url.port) || 5432,
      database: url.pathname.replace(/^\//, ""),
    }),
    untraced: raw,
    end: () => client.end({ timeout: 2 }),
  };
}
