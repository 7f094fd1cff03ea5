import { type Attributes, type Context, context, type Histogram, type Span, SpanStatusCode } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
} from "@opentelemetry/semantic-conventions";

/** Bucket boundaries in seconds, as the HTTP semantic conventions advise (the SDK default is millisecond-scale). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Bucket boundaries in seconds for database and messaging operations (semantic-convention advice). */
export const OPERATION_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** The instrumentation scope of everything the composition root records on a role's behalf. */
export const SCOPE = "o11y-lab/auto";

/** The methods the HTTP conventions know; anything else is recorded as `_OTHER` (bounded cardinality). */
const KNOWN_METHODS = new Set(["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"]);

/** `http.request.method` (and `http.request.method_original` when the method is not a known one). */
export function methodAttributes(method: string): Attributes {
  return KNOWN_METHODS.has(method)
    ? { [ATTR_HTTP_REQUEST_METHOD]: method }
    : { [ATTR_HTTP_REQUEST_METHOD]: "_OTHER", [ATTR_HTTP_REQUEST_METHOD_ORIGINAL]: method };
}

/** The method part of an HTTP span name: `HTTP` for an unknown method, as the conventions say. */
export function spanMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : "HTTP";
}

/** Query keys whose values the URL conventions say to replace by `REDACTED` (signed-URL credentials). */
const SENSITIVE_QUERY_KEYS = new Set(["AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"]);

/** `url.query` as the conventions want it: as sent, with the values of credential-bearing keys redacted. */
export function redactQuery(search: string): string {
  return search
    .replace(/^\?/, "")
    .split("&")
    .map((pair) => {
      const [key = "", ...rest] = pair.split("=");
      return rest.length > 0 && SENSITIVE_QUERY_KEYS.has(decodeURIComponent(key)) ? `${key}=REDACTED` : pair;
    })
    .join("&");
}

/** `url.full` as the conventions want it: user and password replaced by `REDACTED`, the query redacted as above. */
export function redactUrl(url: URL): string {
  const credentials = url.username || url.password ? "REDACTED:REDACTED@" : "";
  const query = url.search ? `?${redactQuery(url.search)}` : "";
  return `${url.protocol}//${credentials}${url.host}${url.pathname}${query}`;
}

/**
 * Runs one HTTP exchange inside `ctx`, then ends its span and records its duration as the conventions say:
 * the status code always; error.type (= the status code) with an ERROR status for a 5xx on either side, for a
 * 4xx on the CLIENT side only (a server that answers 4xx did its job; the client's call failed), or for a
 * thrown error. Nothing is recorded when tracing is suppressed (healthcheck probes).
 */
export async function measureHttp(
  side: "server" | "client",
  span: Span,
  duration: Histogram,
  attributes: Attributes,
  ctx: Context,
  exchange: () => Promise<Response> | Response,
): Promise<Response> {
  const started = performance.now();
  let status: number | undefined;
  let errorType: string | undefined;
  try {
    const response = await context.with(ctx, exchange);
    status = response.status;
    if (status >= 500 || (side === "client" && status >= 400)) errorType = String(status);
    return response;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    errorType = error instanceof Error ? error.name : "_OTHER";
    throw error;
  } finally {
    if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (errorType) {
      span.setAttribute(ATTR_ERROR_TYPE, errorType);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    if (!isTracingSuppressed(ctx)) {
      duration.record((performance.now() - started) / 1000, {
        ...attributes,
        ...(status !== undefined ? { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status } : {}),
        ...(errorType ? { [ATTR_ERROR_TYPE]: errorType } : {}),
      });
    }
  }
}
