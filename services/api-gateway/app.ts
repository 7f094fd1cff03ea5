import { Elysia } from "elysia";
import { VERSION } from "../../src/version.ts";
import type { Deps } from "./model.ts";
import type { GatewayService } from "./service.ts";

/** The gateway's routes. */
export function createApp(service: GatewayService, config: Deps["config"]) {
  return new Elysia({ name: "api-gateway" })
    .get("/api/process", function processRequest() {
      return service.process();
    })
    .get("/api/info", function info() {
      return {
        service: "api-gateway",
        version: VERSION,
        instrumentation: "auto",
        note: "No telemetry code in this folder: `serve` wraps the HTTP server and the fetch it is given.",
        backends: { service_a: config.serviceAUrl },
      };
    })
    .get("/info", function info() {
      return { service: "api-gateway", version: VERSION, instrumentation: "auto" };
    });
}
