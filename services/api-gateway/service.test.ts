import { describe, expect, test } from "bun:test";
import { fakeFetch, memoryLog, mount } from "../../test/support/http.ts";
import { createApp } from "./app.ts";
import { createService } from "./service.ts";

const config = { serviceAUrl: "http://service-a:8001", timeoutMs: 50 };

function gateway(routes: Parameters<typeof fakeFetch>[0]) {
  const counted: number[] = [];
  const { fetch } = fakeFetch(routes);
  const service = createService({
    fetch,
    log: memoryLog(),
    metrics: { requests: { add: (v) => counted.push(v) } },
    config,
  });
  return { call: mount("api-gateway", createApp(service, config)), counted };
}

describe("api-gateway", () => {
  test("passes service-a's answer through and counts the request", async () => {
    const { call, counted } = gateway({
      "http://service-a:8001/process": () =>
        Response.json({ status: "success", service: "service-a", trace_id: "abc" }),
    });
    const { status, body } = await call("/api/process");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "success", service: "api-gateway", trace_id: "abc" });
    expect(counted).toEqual([1]);
  });

  test("service-a's error status reaches the client unchanged, with its message", async () => {
    for (const upstream of [500, 502, 503, 504]) {
      const { call } = gateway({
        "http://service-a:8001": () => Response.json({ error: "postgres unavailable" }, { status: upstream }),
      });
      const { status, body } = await call("/api/process");
      expect(status).toBe(upstream);
      expect(body).toMatchObject({
        service: "api-gateway",
        dependency: "service-a",
        error: "service-a: postgres unavailable",
      });
    }
  });

  test("service-a unreachable → 503, too slow → 504", async () => {
    expect((await gateway({}).call("/api/process")).status).toBe(503);
    const slow = gateway({
      "http://service-a:8001": async (request) => {
        await new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
        return new Response("never");
      },
    });
    const { status, body } = await slow.call("/api/process");
    expect(status).toBe(504);
    expect(body.dependency).toBe("service-a");
  });

  test("/api/info and /health answer with the role name", async () => {
    const { call } = gateway({});
    expect((await call("/api/info")).body.service).toBe("api-gateway");
    expect((await call("/health")).body).toEqual({ status: "healthy", service: "api-gateway" });
  });
});
