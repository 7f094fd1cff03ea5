import { Elysia } from "elysia";
import { HttpError } from "../errors.ts";
import type { Log } from "../ports.ts";
import { parseJsonBody } from "./body.ts";
import { type FaultSwitch, faultRoutes } from "./faults.ts";

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

/** Every error answer of every role has this shape, whichever layer gives it. */
export function errorResponse(role: string, status: number, message: string, extra: Record<string, string> = {}) {
  return Response.json({ status: "error", service: role, error: message, ...extra }, { status });
}

/**
 * The part every role shares: /health (liveness), /ready (dependencies), /admin/faults, and the one
 * place where errors become responses — status codes that mean what they say, JSON naming the field.
 */
export function baseApp(role: string, log: Log, ready: () => Promise<Readiness>, faults: FaultSwitch) {
  // normalize: false, or Elysia silently drops the keys a schema does not know instead of refusing them.
  return new Elysia({ name: `${role}-base`, normalize: false })
    .onParse({ as: "global" }, parseJsonBody)
    .onError({ as: "global" }, function toResponse({ code, error }) {
      const body = (status: number, message: string, extra?: Record<string, string>) =>
        errorResponse(role, status, message, extra);
      // Elysia wraps whatever the body parser throws; the parser's own HttpError is the answer.
      const failure = code === "PARSE" && error.cause instanceof HttpError ? error.cause : error;
      if (failure instanceof HttpError) {
        if (failure.status >= 500) log.error(failure.message);
        return body(failure.status, failure.message, failure.details as Record<string, string>);
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
    .use(faultRoutes(faults, role));
}
