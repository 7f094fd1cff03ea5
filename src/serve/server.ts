import { context } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import type { Server } from "bun";
import type { ConsolaInstance } from "consola";
import type { RoleName } from "../roles.ts";
import type { Telemetry } from "../telemetry/sdk.ts";
import { baseApp } from "./app.ts";
import type { ServeConfig } from "./config.ts";
import { faultsFromEnv, withFaults } from "./faults.ts";
import type { Assembled } from "./wiring.ts";

const PROBES = /^\/(health|ready)$/;

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
  const state = { faults: faultsFromEnv(process.env) };
  const app = baseApp(role, log, assembled.ready, state).use(assembled.app);
  const known = new Set(app.routes.map((r) => `${r.method} ${r.path}`));
  const routeOf = (request: Request) => {
    const path = new URL(request.url).pathname;
    return known.has(`${request.method} ${path}`) ? path : undefined;
  };
  const instrumented = assembled.instrument(
    withFaults(
      (request) => app.handle(request),
      () => state.faults,
      role,
    ),
    routeOf,
  );
  // Container healthchecks hit the probes every few seconds: recording them (the server span, /ready's own
  // SQL or HTTP checks, their metric points) would bury the telemetry that matters. Suppressed, not just unwrapped.
  const handler = (request: Request) =>
    PROBES.test(new URL(request.url).pathname)
      ? context.with(suppressTracing(context.active()), () => app.handle(request))
      : instrumented(request);
  const server = Bun.serve({ hostname: config.host, port: config.port, fetch: handler, idleTimeout: 60 });
  assembled.start();
  log.info(`${role} listening on http://${config.host}:${server.port} (telemetry ${telemetry.enabled ? "on" : "off"})`);

  return {
    server,
    async shutdown() {
      log.info(`${role} shutting down`);
      // In-flight requests get up to 3 s; then connections are closed so the 5 s budget holds.
      const graceful = server.stop(false);
      const forced = Bun.sleep(3000).then(() => server.stop(true));
      await Promise.race([graceful, forced]);
      await Promise.race([assembled.stop(), Bun.sleep(1000)]);
      await Promise.race([telemetry.shutdown(), Bun.sleep(1000)]);
    },
  };
}
