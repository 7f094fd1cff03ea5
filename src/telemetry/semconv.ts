import { type Attributes, type Context, context, type Histogram, type Span, SpanStatusCode } from "@opentelemetry/api";

/** Bucket boundaries in seconds, as the HTTP semantic conventions advise (the SDK default is millisecond-scale). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Bucket boundaries in seconds for database and messaging operations (semantic-convention advice). */
export const OPERATION_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** The instrumentation scope of everything the composition root records on a role's behalf. */
export const SCOPE = "o11y-lab/auto";

/**
 * Runs one HTTP exchange inside `ctx`, then ends its span and records its duration as the conventions say:
 * the status code, and error.type with an ERROR status for a 5xx or a thrown error.
 */
export async function measureHttp(
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
    if (status >= 500) errorType = String(status);
    return response;
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    errorType = error instanceof Error ? error.name : "Error";
    throw error;
  } finally {
    if (status !== undefined) span.setAttribute("http.response.status_code", status);
    if (errorType) {
      span.setAttribute("error.type", errorType);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
    duration.record((performance.now() - started) / 1000, {
      ...attributes,
      ...(status !== undefined ? { "http.response.status_code": status } : {}),
      ...(errorType ? { "error.type": errorType } : {}),
    });
  }
}
