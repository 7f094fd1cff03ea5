import { context, metrics, propagation, SpanKind, trace } from "@opentelemetry/api";
import { VERSION } from "../version.ts";
import { HTTP_DURATION_BUCKETS, measureHttp, SCOPE } from "./semconv.ts";

/** The fetch signature the services are given: the global one, or this traced one. */
export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * The client half of "auto" instrumentation: a CLIENT span per call, the W3C `traceparent` header
 * injected from it, and `http.client.request.duration`. A 5xx answer or a network error marks the
 * span as an error; the caller still gets the response or the exception unchanged.
 */
export function tracedFetch(inner: Fetch = fetch): Fetch {
  const tracer = trace.getTracer(SCOPE, VERSION);
  const duration = metrics.getMeter(SCOPE, VERSION).createHistogram("http.client.request.duration", {
    unit: "s",
    description: "Duration of HTTP client requests.",
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  });

  return async function traced(input, init) {
    const url = new URL(input instanceof URL ? input.href : input);
    const method = (init?.method ?? "GET").toUpperCase();
    const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
    const base = {
      "http.request.method": method,
      "server.address": url.hostname,
      "server.port": port,
    };
    const span = tracer.startSpan(method, {
      kind: SpanKind.CLIENT,
      attributes: { ...base, "url.full": `${url.origin}${url.pathname}` },
    });
    const headers = new Headers(init?.headers);
    const spanContext = trace.setSpan(context.active(), span);
    propagation.inject(spanContext, headers, { set: (h, k, v) => h.set(k, v) });
    return measureHttp(span, duration, base, spanContext, () => inner(url, { ...init, headers }));
  };
}
