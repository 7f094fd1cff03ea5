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
  });
});
