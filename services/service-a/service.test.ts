import { describe, expect, test } from "bun:test";
import type { Query, Row } from "../../src/ports.ts";
import { fakeFetch, memoryLog, mount } from "../../test/support/http.ts";
import { testTelemetry } from "../../test/support/telemetry.ts";
import { createApp } from "./app.ts";
import { createService } from "./service.ts";

const telemetry = testTelemetry();

/** A SQL stand-in: answers by the first word of the query, or fails with the given error. */
function fakeSql(fail?: { code: string }) {
  const queries: string[] = [];
  const sql: Query = async <T extends Row = Row>(strings: TemplateStringsArray) => {
    const text = strings.join("?").replace(/\s+/g, " ").trim();
    queries.push(text);
    if (fail) throw Object.assign(new Error(fail.code), fail);
    if (text.startsWith("INSERT")) return [{ id: 7 }] as unknown as T[];
    if (text.startsWith("SELECT COUNT(*) AS total FROM")) return [{ total: "3" }] as unknown as T[];
    if (text.startsWith("SELECT COUNT(*) AS total_requests"))
      return [
        { total_requests: "3", completed: "2", failed: "1", avg_duration_ms: "10.4", max_duration_ms: "20" },
      ] as unknown as T[];
    return [] as T[];
  };
  return { sql, queries };
}

const healthy = {
  "http://d/compute": () => Response.json({ status: "success", service: "service-d" }),
  "http://b/enqueue": () => Response.json({ status: "success", service: "service-b" }),
  "http://third/zen": () => new Response("Keep it logically awesome."),
};

async function serviceA(routes: Parameters<typeof fakeFetch>[0], sqlFail?: { code: string }) {
  const { sql, queries } = fakeSql(sqlFail);
  const { fetch, calls } = fakeFetch(routes);
  const config = {
    serviceBUrl: "http://b",
    serviceDUrl: "http://d",
    thirdPartyUrl: "http://third/zen",
    timeoutMs: 100,
    thirdPartyTimeoutMs: 50,
    dbTimeoutMs: 100,
  };
  const service = createService({ fetch, sql, probeSql: sql, log: memoryLog(), config }, () => 0.41);
  service.start();
  await Bun.sleep(5);
  return { call: mount("service-a", createApp(service), service.ready), queries, calls, service };
}

describe("service-a", () => {
  test("/process records the request, calls d and b, and answers with every result", async () => {
    telemetry.reset();
    const { call, queries, calls, service } = await serviceA(healthy);
    const { status, body } = await call("/process");
    service.stop();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "success",
      service: "service-a",
      data: {
        log_id: 7,
        recent_requests: 4,
        third_party: "Keep it logically awesome.",
        service_d: { service: "service-d" },
      },
    });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toContain("GET http://d/compute?value=42");
    const enqueue = calls.find((c) => c.url === "http://b/enqueue");
    expect(await enqueue?.json()).toMatchObject({ message: "Process request" });
    expect(queries.some((q) => q.startsWith("UPDATE request_logs SET status ="))).toBe(true);
    expect(telemetry.spans().map((s) => s.name)).toEqual(
      expect.arrayContaining(["service_a.record_request", "service_a.third_party"]),
    );
  });

  test("a failing third party degrades to 'unavailable' and an error span, never a failed request", async () => {
    telemetry.reset();
    const { call, service } = await serviceA({
      ...healthy,
      "http://third/zen": () => new Response("rate limited", { status: 403 }),
    });
    const { status, body } = await call("/process");
    service.stop();
    expect(status).toBe(200);
    expect((body.data as Record<string, unknown>).third_party).toBe("unavailable");
    const span = telemetry.spans().find((s) => s.name === "service_a.third_party");
    expect(span?.status.code).toBe(2);
  });

  test("service-d and service-b are required: refused → 503, error → 502, both naming the dependency", async () => {
    const refused = await serviceA({ ...healthy, "http://d/compute": () => Promise.reject(new Error("unreachable")) });
    const a = await refused.call("/process");
    expect([a.status, a.body.dependency]).toEqual([503, "service-d"]);
    const failing = await serviceA({ ...healthy, "http://b/enqueue": () => Response.json({}, { status: 500 }) });
    const b = await failing.call("/process");
    expect([b.status, b.body.dependency]).toEqual([502, "service-b"]);
    expect(failing.queries.some((q) => q.includes("UPDATE request_logs"))).toBe(true);
    refused.service.stop();
    failing.service.stop();
  });

  test("Postgres down → 503 naming postgres, and /ready says so", async () => {
    const { call, service } = await serviceA(healthy, { code: "ECONNREFUSED" });
    const { status, body } = await call("/process");
    expect([status, body.dependency]).toEqual([503, "postgres"]);
    const ready = await call("/ready");
    expect(ready.status).toBe(503);
    service.stop();
  });

  test("/stats reports the last hour with numbers, not strings", async () => {
    const { call, service } = await serviceA(healthy);
    const { body } = await call("/stats");
    service.stop();
    expect(body).toEqual({
      service: "service-a",
      stats: { total_requests: 3, completed: 2, failed: 1, avg_duration_ms: 10, max_duration_ms: 20 },
    });
  });
});
