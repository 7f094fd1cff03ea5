import { Elysia, t } from "elysia";
import { VERSION } from "../../src/version.ts";
import type { ServiceB } from "./service.ts";

/** service-b's routes. The body schema is where bad input becomes a 400 naming the field. */
export function createApp(service: ServiceB) {
  return new Elysia({ name: "service-b" })
    .post(
      "/enqueue",
      function enqueue({ body }) {
        return service.enqueue(body);
      },
      {
        body: t.Object({
          message: t.String({ minLength: 1, maxLength: 10_000, error: "message: must be a non-empty string" }),
          trace_id: t.Optional(
            t.String({ maxLength: 64, error: "trace_id: must be a string of at most 64 characters" }),
          ),
        }),
      },
    )
    .get("/info", function info() {
      return {
        service: "service-b",
        version: VERSION,
        instrumentation: "manual",
        capabilities: ["kafka producer (acks=all)", "hand-written spans and metrics", "trace context in Kafka headers"],
      };
    });
}
