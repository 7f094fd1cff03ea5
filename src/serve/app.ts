import { Elysia } from "elysia";
import { HttpError } from "../errors.ts";
import type { Log } from "../ports.ts";
import { type Faults, faultRoutes } from "./faults.ts";

/** Readiness of a role's dependencies: name → "ok" or what is wrong. */
export type Readiness = Record<string, string>;

interface ValidationDetails {
  customError?: unknown;
  valueError?: { path?: string; message?: string };
}

/**
 * The field a user must fix and what is wrong with it. Schemas carry messages of the form
 * `field: what it must be`; otherwise Elysia's error path (`/message`) names the field.
 */
export function describeValidation(error: unknown): { field: string; message: string } {
  const { customError, valueError } = error as ValidationDetails;
  const custom = typeof customError === "string" ? /^([\w.]+): /.exec(customError) : null;
  if (custom?.[1]) return { field: custom[1], message: customError as string };
  const field = valueError?.path?.replace(/^\//, "").replace(/\//g, ".") || "body";
  return { field, message: `${field}: ${valueError?.message ?? "is invalid"}` };
}

/**
 * The part every role shares: /health (liveness), /ready (dependencies), /admin/faults, and the one
 * place where errors become responses — status codes that mean what they say, JSON naming the field.
 */
export function baseApp(role: string, log: Log, ready: () => Promise<Readiness>, state: { faults: Faults }) {
  return new Elysia({ name: `${role}-base` })
    .onError({ as: "global" }, function toResponse({ code, error }) {
      const body = (status: number, message: string, extra: Record<string, string> = {}) =>
        Response.json({ status: "error", service: role, error: message, ...extra }, { status });
      if (error instanceof HttpError) {
        if (error.status >= 500) log.error(error.message);
        return body(error.status, error.message, error.details as Record<string, string>);
      }
      switch (code) {
        case "VALIDATION": {
          const { field, message } = describeValidation(error);
          return body(400, message, { field });
        }
        case "PARSE":
          return body(400, "body: not valid JSON", { field: "body" });
        case "NOT_FOUND":
          return body(404, "not found");
        default:
          log.error("unhandled error", error);
          return body(500, error instanceof Error ? error.message : String(error));
      }
    })
    .get("/health", function health() {
      return { status: "healthy", service: role };
    })
    .get("/ready", async function readiness({ set }) {
      const checks = await ready();
      const ok = Object.values(checks).every((v) => v === "ok");
      set.status = ok ? 200 : 503;
      return { status: ok ? "ready" : "not ready", service: role, checks };
    })
    .use(faultRoutes(state, role));
}
