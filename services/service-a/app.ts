import { Elysia } from "elysia";
import { VERSION } from "../../src/version.ts";
import type { ServiceA } from "./service.ts";

/** service-a's routes. */
export function createApp(service: ServiceA) {
  return new Elysia({ name: "service-a" })
    .get("/process", function processRequest() {
      return service.process();
    })
    .get("/stats", function stats() {
      return service.stats();
    })
    .get("/info", function info() {
      return {
        service: "service-a",
        version: VERSION,
        instrumentation: {
          type: "hybrid",
          auto: ["HTTP server", "fetch", "SQL (postgres.js)"],
          api: ["business spans", "attributes", "business metrics"],
        },
      };
    });
}
