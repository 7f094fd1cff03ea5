import { type Span, SpanStatusCode } from "@opentelemetry/api";

/** Bucket boundaries in seconds, as the HTTP semantic conventions advise (the SDK default is millisecond-scale). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Bucket boundaries in seconds for database and messaging operations (semantic-convention advice). */
export const OPERATION_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** The instrumentation scope of everything the composition root records on a role's behalf. */
export const SCOPE = "o11y-lab/auto";

/** Ends an HTTP span as the conventions say: the status code, and error.type + ERROR status on failure. */
export function endHttpSpan(span: Span, status: number | undefined, errorType: string | undefined): void {
  if (status !== undefined) span.setAttribute("http.response.status_code", status);
  if (errorType) {
    span.setAttribute("error.type", errorType);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Records an exception on the span and returns its error.type. */
export function recordError(span: Span, error: unknown): string {
  span.recordException(error instanceof Error ? error : String(error));
  return error instanceof Error ? error.name : "Error";
}
