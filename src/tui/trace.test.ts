import { expect, test } from "bun:test";
import captured from "../../test/fixtures/tempo-trace.json";
import { fetchTrace, hexId, parseTrace, slowestSpanIndex, type TraceAnswer, visibleSpans } from "./trace.ts";

const { traceId, answer } = captured as { traceId: string; answer: TraceAnswer };

test("a real trace as Tempo answers it: base64 ids and enum names read as OTLP's hex and kinds", () => {
  const trace = parseTrace(traceId, answer);
  expect(trace.spans).toHaveLength(19);
  for (const span of trace.spans) expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
  const [root] = trace.spans;
  expect(root).toMatchObject({ name: "GET /api/process", service: "api-gateway", kind: "server", parentId: null });
  expect(trace.depth[root?.spanId ?? ""]).toBe(0);
  // Every other span hangs under one that is in the trace, parents before children.
  const seen = new Set<string>();
  for (const span of trace.spans) {
    if (span !== root) expect(seen.has(span.parentId ?? "")).toBe(true);
    seen.add(span.spanId);
  }
  expect(trace.spans.filter((s) => s.status === "error").map((s) => s.service)).toEqual(["service-a", "service-a"]);
  expect(new Set(trace.spans.map((s) => s.service))).toEqual(
    new Set(["api-gateway", "service-a", "service-b", "service-c", "service-d"]),
  );
});

test("hex ids stay hex; base64 ids become hex", () => {
  expect(hexId("2f32db94d6ac01237d07f8ec366c4025")).toBe("2f32db94d6ac01237d07f8ec366c4025");
  expect(hexId(Buffer.from("d8be619f1598e79b", "hex").toString("base64"))).toBe("d8be619f1598e79b");
});

test("the slowest span of a service; folding hides exactly the descendants", () => {
  const trace = parseTrace(traceId, answer);
  const slowest = trace.spans[slowestSpanIndex(trace, "service-d")];
  expect(slowest).toMatchObject({ service: "service-d", name: "GET /compute" });
  const gateway = trace.spans[1]?.spanId ?? "";
  expect(visibleSpans(trace, [gateway]).map((s) => s.name)).toEqual(["GET /api/process", "GET"]);
});

test("Tempo without the trace, or unreachable, is one sentence", async () => {
  const missing = (async () => new Response("trace not found", { status: 404 })) as unknown as typeof fetch;
  await expect(fetchTrace("http://tempo:3200", "abc", missing)).rejects.toThrow("Tempo has no trace abc");
  const refused = (async () => {
    throw Object.assign(new Error("refused"), { code: "ConnectionRefused" });
  }) as unknown as typeof fetch;
  await expect(fetchTrace("http://tempo:3200", "abc", refused)).rejects.toThrow(
    "Tempo is unreachable at http://tempo:3200 (connection refused)",
  );
});

test("fetchTrace asks Tempo's trace API for the id and reads the OTLP answer", async () => {
  let asked = "";
  const request = (async (url: string) => {
    asked = url;
    return Response.json(answer);
  }) as unknown as typeof fetch;
  const trace = await fetchTrace("http://tempo:3200/", traceId, request);
  expect(asked).toBe(`http://tempo:3200/api/traces/${traceId}`);
  expect(trace.spans).toHaveLength(19);
});
