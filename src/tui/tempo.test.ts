import { expect, test } from "bun:test";
import { searchTraces, traceQueries } from "./tempo.ts";

test("errors then slow traces of one service, newest first, each trace once", async () => {
  const asked: URL[] = [];
  const request = (async (url: string) => {
    const u = new URL(url);
    asked.push(u);
    const error = u.searchParams.get("q")?.includes("status = error");
    const trace = (id: string, startMs: number, durationMs?: number) => ({
      traceID: id,
      rootServiceName: "api-gateway",
      rootTraceName: "GET /api/process",
      startTimeUnixNano: `${startMs}000000`,
      durationMs,
    });
    return Response.json({
      traces: error ? [trace("e1", 1000, 30), trace("e2", 2000, 40)] : [trace("e2", 2000, 40), trace("s1", 3000, 900)],
    });
  }) as typeof fetch;
  const rows = await searchTraces("http://tempo:3200/", "service-d", { request });
  expect(rows.map((r) => `${r.kind} ${r.traceId} ${r.start} ${r.durationMs}`)).toEqual([
    "error e2 2000 40",
    "error e1 1000 30",
    "slow s1 3000 900",
  ]);
  expect(asked.map((u) => `${u.origin}${u.pathname}`)).toEqual([
    "http://tempo:3200/api/search",
    "http://tempo:3200/api/search",
  ]);
  expect(asked.map((u) => u.searchParams.get("q"))).toEqual(Object.values(traceQueries("service-d")));
  expect(asked[0]?.searchParams.get("limit")).toBe("10");
});

test("the TraceQL selects the service's failed spans, or its spans in a slow trace", () => {
  expect(traceQueries("service-d")).toEqual({
    error: '{ resource.service.name = "service-d" && status = error }',
    slow: '{ resource.service.name = "service-d" && traceDuration >= 500ms }',
  });
});

test("Tempo not answering is one sentence", async () => {
  const request = (async () => {
    throw Object.assign(new Error("refused"), { code: "ConnectionRefused" });
  }) as unknown as typeof fetch;
  await expect(searchTraces("http://127.0.0.1:3200", "service-d", { request })).rejects.toThrow(
    "Tempo is unreachable at http://127.0.0.1:3200 (connection refused)",
  );
});
