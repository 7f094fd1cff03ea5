import { Elysia } from "elysia";
import { VERSION } from "../../src/version.ts";
import type { ServiceC } from "./service.ts";

/** service-c's routes: it does its work from Kafka, so HTTP only reports on it. */
export function createApp(service: ServiceC) {
  return new Elysia({ name: "service-c" })
    .get("/stats", function stats() {
      return service.stats();
    })
    .get("/info", function info() {
      return {
        service: "service-c",
        version: VERSION,
        instrumentation: "manual",
        capabilities: [
          "kafka consumer (commit after processing)",
          "hand-written spans and metrics",
          "trace context from Kafka headers",
        ],
      };
    });
}
