import { context } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import type { Server } from "bun";
import type { ConsolaInstance } from "consola";
import type { RoleName } from "../roles.ts";
import type { Telemetry } from "../telemetry/sdk.ts";
import { baseApp, errorResponse } from "./app.ts";
import { BODY_CEILING_BYTES } from "./body.ts";
import type { ServeConfig } from "./config.ts";
import { FaultSwitch, faultsFromEnv, NO_FAULTS, withFaults } from "./faults.ts";
import type { Assembled } from "./wiring.ts";

const PROBES = /^\/(health|ready)$/;

/**
 * Shutdown fits compose's 15 s stop_grace_period: in-flight requests get up to 6 s, background work (the
 * consumer's last chunk, its commit and LeaveGroup) 2 s, and telemetry the rest (≥ 6 s: a whole export,
 * whose timeout is OTEL_EXPORTER_OTLP_TIMEOUT, 5 s).
 */
const SHUTDOWN_BUDGET_MS = 14_000;
const DRAIN_MS = 6000;
const STOP_MS = 2000;

/**
 * The request as Elysia must see it. Elysia finds the path at the first "/" after the 11th character of the
 * URL, so a 1–3 character Host ("http://x/admin/compute") shifts it: the fault layer would see /admin/… while
 * /compute is served. Re-rooting such a URL on a long origin makes the routed path the parsed one.
 */
function routable(request: Request): Request {
  const url = new URL(request.url);
  if (request.url === url.href && url.host.length >= 4) return request;
  return new Request(`http://localhost${url.pathname}${url.search}`, request);
}

/** A role being served. */
export interface Running {
  server: Server<undefined>;
  /** Stop accepting, finish in-flight requests, stop background work, flush telemetry. */
  shutdown(): Promise<void>;
}

/** Serves one assembled role: base routes + role routes, behind fault flags, behind the role's server span. */
export function serveRole(
  role: RoleName,
  config: ServeConfig,
  assembled: Assembled,
  log: ConsolaInstance,
  telemetry: Telemetry,
): Running {
  const faults = new FaultSwitch(faultsFromEnv(process.env));
  const app = baseApp(role, log, assembled.ready, faults).use(assembled.app);
  const known = new Set(app.routes.map((r) => `${r.method} ${r.path}`));
  const routeOf = (request: Request) => {
    const path = new URL(request.url).pathname;
    return known.has(`${request.method} ${path}`) ? path : undefined;
  };
  const instrumented = assembled.instrument(
    withFaults((request) => app.handle(routable(request)), faults, role),
    routeOf,
  );
  const handler = (request: Request) => {
    // A request line or Host that makes no URL (HTTP/1.0 without Host, "Host: a b") is the client's error.
    const url = URL.parse(request.url);
    if (!url) return errorResponse(role, 400, "url: the request URL or Host header is not valid", { field: "url" });
    // Container healthchecks hit the probes every few seconds: recording them (the server span, /ready's own
    // SQL or HTTP checks, their metric points) would bury the telemetry that matters. Suppressed, not just unwrapped.
    return PROBES.test(url.pathname)
      ? context.with(suppressTracing(context.active()), () => app.handle(routable(request)))
      : instrumented(request);
  };
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    fetch: handler,
    idleTimeout: 60,
    maxRequestBodySize: BODY_CEILING_BYTES,
    // Never Bun's development error page (source lines, working directory), whatever NODE_ENV says.
    development: false,
    error(error) {
      log.error("unhandled error", error);
      return errorResponse(role, 500, "internal error");
    },
  });
  assembled.start();
  log.info(`${role} listening on http://${config.host}:${server.port} (telemetry ${telemetry.enabled ? "on" : "off"})`);

  return {
    server,
    async shutdown() {
      log.info(`${role} shutting down`);
      const deadline = performance.now() + SHUTDOWN_BUDGET_MS;
      // Requests held by a fault delay go on at once rather than being cut off.
      faults.set({ ...NO_FAULTS });
      const graceful = server.stop(false);
      const drained = await Promise.race([graceful.then(() => true), Bun.sleep(DRAIN_MS).then(() => false)]);
      if (!drained) {
        log.warn(`${role}: requests still in flight after ${DRAIN_MS} ms, closing their connections`);
        await server.stop(true);
      }
      await Promise.race([assembled.stop(), Bun.sleep(STOP_MS)]);
      // The rest of the budget flushes telemetry: at least one whole export (OTEL_EXPORTER_OTLP_TIMEOUT, 5 s).
      await Promise.race([telemetry.shutdown(), Bun.sleep(Math.max(0, deadline - performance.now()))]);
    },
  };
}
