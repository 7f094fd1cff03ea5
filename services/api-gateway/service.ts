import { HttpError } from "../../src/errors.ts";
import { callJson, UpstreamError } from "../../src/http-call.ts";
import type { Deps, ProcessAnswer } from "./model.ts";

export interface GatewayService {
  process(): Promise<ProcessAnswer>;
}

/** The gateway's one job: hand /api/process to service-a and say plainly what came back. */
export function createService({ fetch, log, metrics, config }: Deps): GatewayService {
  return {
    async process() {
      metrics.requests.add(1, { endpoint: "/api/process", method: "GET" });
      log.info(`Calling service-a at ${config.serviceAUrl}/process`);
      try {
        const data = await callJson<{ trace_id?: string }>(fetch, {
          dependency: "service-a",
          url: `${config.serviceAUrl}/process`,
          timeoutMs: config.timeoutMs,
        });
        return {
          status: "success",
          service: "api-gateway",
          message: "Request processed through gateway",
          trace_id: data.trace_id,
          data,
        };
      } catch (error) {
        // The gateway is a proxy: service-a's own status (400, 500, 503, 504…) reaches the client as is.
        if (error instanceof UpstreamError) {
          log.warn(`service-a answered HTTP ${error.upstreamStatus}`);
          throw new HttpError(error.upstreamStatus, `service-a: ${upstreamMessage(error.upstreamBody)}`, {
            dependency: "service-a",
          });
        }
        throw error;
      }
    },
  };
}

function upstreamMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200) || "no body";
}
