import { context, metrics, propagation, SpanKind, trace } from "@opentelemetry/api";
import { VERSION } from "../version.ts";
import { HTTP_DURATION_BUCKETS, measureHttp, SCOPE } from "./semconv.ts";

/** A fetch-style request handler, the shape Bun.serve and Elysia's `handle` share. */
export type Handler = (request: Request) => Promise<Response> | Response;

/**
 * The server half of "auto" instrumentation: one SERVER span per request, continuing the caller's
 * W3C trace context, and `http.server.request.duration` with its advised buckets. The handler runs
 * inside the span's context, so spans and logs made while handling it become its children.
 * `routeOf` maps a request to its low-cardinality route template (undefined when nothing matched).
 */
export function instrumentServer(handler: Handler, routeOf: (request: Request) => string | undefined): Handler {
  const tracer = trace.getTracer(SCOPE, VERSION);
  const duration = metrics.getMeter(SCOPE, VERSION).createHistogram("http.server.request.duration", {
    unit: "s",
    description: "Duration of HTTP server requests.",
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  });

  return async function instrumented(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const route = routeOf(request);
    const method = request.method;
    const parent = propagation.extract(context.active(), request.headers, headerGetter);
    const span = tracer.startSpan(
      route ? `${method} ${route}` : method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": method,
          "url.path": url.pathname,
          "url.scheme": url.protocol.replace(":", ""),
          "server.port": Number(url.port) || undefined,
          "user_agent.original": request.headers.get("user-agent") ?? undefined,
          ...(route ? { "http.route": route } : {}),
          ...(url.search ? { "url.query": url.search.slice(1) } : {}),
        },
      },
      parent,
    );
    const attributes = {
      "http.request.method": method,
      "url.scheme": url.protocol.replace(":", ""),
      ...(route ? { "http.route": route } : {}),
    };
    return measureHttp(span, duration, attributes, trace.setSpan(parent, span), () => handler(request));
  };
}

const headerGetter = {
  keys: (carrier: Headers) => [...carrier.keys()],
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
};
