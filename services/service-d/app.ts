import { Elysia, t } from "elysia";
import { VERSION } from "../../src/version.ts";
import type { ComputeService } from "./service.ts";

/** service-d's routes. Validation lives here; the computation lives in service.ts. */
export function createApp(service: ComputeService) {
  return new Elysia({ name: "service-d" })
    .get(
      "/compute",
      async function compute({ query }) {
        return service.compute(query.value ?? 10);
      },
      {
        query: t.Object({
          value: t.Optional(
            t.Integer({ minimum: 1, maximum: 100, error: "value: must be a whole number from 1 to 100" }),
          ),
        }),
      },
    )
    .get("/info", function info() {
      return {
        service: "service-d",
        version: VERSION,
        instrumentation: "auto",
        note: "No telemetry code in this folder: `serve` wraps the HTTP server and passes in the business metrics.",
        capabilities: ["fibonacci", "prime factorization", "statistics"],
      };
    });
}
