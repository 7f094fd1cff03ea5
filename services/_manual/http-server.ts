// Manual instrumentation of an HTTP server, shared by the two manual roles (service-b, service-c) and
// written with @opentelemetry/api only. It does by hand what the composition root's wrapper
// (src/telemetry/http-server.ts) does for the auto roles: reading it is the cost of the manual style.
import {
  context,
  type Meter,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from "@opentelemetry/semantic-conventions";

/** A fetch-style request handler. */
export type Handler = (request: Request) => Promise<Response> | Response;

/** Reads W3C `traceparent`/`tracestate` out of the request headers: the hand-written half of extraction. */
const requestHeaders: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * Wraps a role's handler in a SERVER span of the role's own tracer, continuing the caller's trace, and
 * records `http.server.request.duration` on the role's own meter. `routeOf` names the matched route.
 */
export function handInstrumentedServer(tracer: Tracer, meter: Meter) {
  const duration = meter.createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, {
    unit: "s",
    description: "Duration of HTTP server requests.",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] },
  });

  return (handler: Handler, routeOf: (request: Request) => string | undefined): Handler =>
    async function serverSpan(request) {
      const url = new URL(request.url);
      const route = routeOf(request);
      const attributes = {
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        [ATTR_URL_SCHEME]: url.protocol.replace(":", ""),
        ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
      };
      const parent = propagation.extract(context.active(), request.headers, requestHeaders);
      const span = tracer.startSpan(
        route ? `${request.method} ${route}` : request.method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            ...attributes,
            [ATTR_URL_PATH]: url.pathname,
            [ATTR_SERVER_ADDRESS]: url.hostname,
            [ATTR_SERVER_PORT]: Number(url.port) || 80,
          },
        },
        parent,
      );
      const started = performance.now();
      let status: number | undefined;
      let errorType: string | undefined;
      try {
        // The handler runs inside the span's context, so the spans it starts become its children.
        const response = await context.with(trace.setSpan(parent, span), () => handler(request));
        status = response.status;
        // A 4xx is the client's mistake: the server span stays unset. A 5xx is ours.
        if (status >= 500) errorType = String(status);
        return response;
      } catch (error) {
        errorType = (error as Error).name;
        span.recordException(error as Error);
        throw error;
      } finally {
        const outcome = {
          ...(status !== undefined ? { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status } : {}),
          ...(errorType ? { [ATTR_ERROR_TYPE]: errorType } : {}),
        };
        span.setAttributes(outcome);
        if (errorType) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        duration.record((performance.now() - started) / 1000, { ...attributes, ...outcome });
      }
    };
}
