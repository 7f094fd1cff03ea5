import { describe, expect, test } from "bun:test";
import { callJson } from "./http-call.ts";

const answering = (status: number, body: string) => async () => new Response(body, { status });

describe("callJson", () => {
  test("a dependency's error answer keeps its own reason, so the caller's answer says what happened downstream", async () => {
    const call = { dependency: "service-b", url: "http://b/enqueue", timeoutMs: 100 };
    const said =
      '{"status":"error","error":"kafka did not acknowledge message m1 within 4000 ms; it may still be published once"}';
    await expect(callJson(answering(504, said), call)).rejects.toThrow(
      "service-b answered HTTP 504: kafka did not acknowledge message m1 within 4000 ms; it may still be published once",
    );
    await expect(callJson(answering(500, "not json"), call)).rejects.toThrow(/^service-b answered HTTP 500$/);
    // Its 503 and 504 stay what they are; any other error status is a 502.
    const statusOf = (status: number) => callJson(answering(status, "{}"), call).catch((e) => e.status);
    expect(await Promise.all([503, 504, 500, 429].map(statusOf))).toEqual([503, 504, 502, 502]);
  });
});
