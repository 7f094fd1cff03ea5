import { context, metrics, propagation, SpanKind, trace } from "@opentelemetry/api";
import {
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  METRIC_HTTP_CLIENT_REQUEST_DURATION,
} from "@opentelemetry/semantic-conventions";
import { VERSION } from "../version.ts";
import { HTTP_DURATION_BUCKETS, measureHttp, methodAttributes, redactUrl, SCOPE, spanMethod } from "./semconv.ts";

/** The fetch signature the services are given: the global one, or this traced one. */
export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * The client half of "auto" instrumentation: a CLIENT span per call, the W3C `traceparent` header
 * injected from it, and `http.client.request.duration`. A 4xx or 5xx answer or a network error marks
 * the span as an error; the caller still gets the response or the exception unchanged.
 */
export function tracedFetch(inner: Fetch = fetch): Fetch {
  const tracer = trace.getTracer(SCOPE, VERSION);
  const duration = metrics.getMeter(SCOPE, VERSION).createHistogram(METRIC_HTTP_CLIENT_REQUEST_DURATION, {
    unit: "s",
    description: "Duration of HTTP client requests.",
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  });

  return async function traced(input, init) {
    const url = new URL(input instanceof URL ? input.href : input);
    const method = (init?.method ?? "GET").toUpperCase();
    const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
    const base = { ...methodAttributes(method), [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port };
    const span = tracer.startSpan(spanMethod(method), {
      kind: SpanKind.CLIENT,
      attributes: { ...base, [ATTR_URL_FULL]: redactUrl(url) },
    });
    const headers = new Headers(init?.headers);
    const spanContext = trace.setSpan(context.active(), span);
    propagation.inject(spanContext, headers, { set: (h, k, v) => h.set(k, v) });
    return measureHttp("client", span, duration, base, spanContext, () => inner(url, { ...init, headers }));
  };
}
