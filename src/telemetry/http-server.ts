import { context, metrics, propagation, SpanKind, trace } from "@opentelemetry/api";
import {
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from "@opentelemetry/semantic-conventions";
import { VERSION } from "../version.ts";
import { HTTP_DURATION_BUCKETS, measureHttp, methodAttributes, redactQuery, SCOPE, spanMethod } from "./semconv.ts";

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
  const duration = metrics.getMeter(SCOPE, VERSION).createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, {
    unit: "s",
    description: "Duration of HTTP server requests.",
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  });

  return async function instrumented(request: Request): Promise<Response> {
    // Bun builds request.url from the Host header: that is the server name the client asked for.
    const url = new URL(request.url);
    const route = routeOf(request);
    const method = request.method;
    const scheme = url.protocol.replace(":", "");
    const parent = propagation.extract(context.active(), request.headers, headerGetter);
    const attributes = {
      ...methodAttributes(method),
      [ATTR_URL_SCHEME]: scheme,
      ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
    };
    const span = tracer.startSpan(
      route ? `${spanMethod(method)} ${route}` : spanMethod(method),
      {
        kind: SpanKind.SERVER,
        attributes: {
          ...attributes,
          [ATTR_URL_PATH]: url.pathname,
          [ATTR_SERVER_ADDRESS]: url.hostname,
          [ATTR_SERVER_PORT]: Number(url.port) || (scheme === "https" ? 443 : 80),
          ...(url.search ? { [ATTR_URL_QUERY]: redactQuery(url.search) } : {}),
          ...(request.headers.has("user-agent")
            ? { [ATTR_USER_AGENT_ORIGINAL]: request.headers.get("user-agent") as string }
            : {}),
        },
      },
      parent,
    );
    return measureHttp("server", span, duration, attributes, trace.setSpan(parent, span), () => handler(request));
  };
}

const headerGetter = {
  keys: (carrier: Headers) => [...carrier.keys()],
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
};
