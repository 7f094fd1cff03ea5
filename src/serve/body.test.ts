import { describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { mount } from "../../test/support/http.ts";
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, nestsDeeperThan } from "./body.ts";

const echo = new Elysia().post("/echo", ({ body }) => ({ got: body }), {
  body: t.Object({ message: t.String() }),
});
const call = mount("service-b", echo);
const post = (body: string, type = "application/json") =>
  call("/echo", { method: "POST", body, headers: { "content-type": type } });

describe("request bodies", () => {
  test("depth counts brackets outside strings only", () => {
    expect(nestsDeeperThan("[[[]]]", 3)).toBe(false);
    expect(nestsDeeperThan("[[[[]]]]", 3)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[[","b":[[[]]]}', 3)).toBe(true);
  });

  test("too deep → 400, not JSON → 400, other content type → 415, __proto__ → 400, each naming the field", async () => {
    const deep = `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`;
    expect(await post(deep)).toMatchObject({ status: 400, body: { field: "body" } });
    expect(await post("{nope")).toMatchObject({ status: 400, body: { field: "body" } });
    expect(await post('{"message":"x"}', "text/plain")).toMatchObject({ status: 415, body: { field: "content-type" } });
    expect(await post('{"message":"x","__proto__":{"polluted":1}}')).toMatchObject({
      status: 400,
      body: { field: "__proto__" },
    });
    expect(await post('{"message":"x"}', "application/json; charset=utf-8")).toMatchObject({
      status: 200,
      body: { got: { message: "x" } },
    });
  });

  test("a declared length past the limit → 413 before the body is read", async () => {
    const { status, body } = await call("/echo", {
      method: "POST",
      body: "x".repeat(MAX_BODY_BYTES + 1),
      headers: { "content-type": "application/json" },
    });
    expect([status, body.field]).toEqual([413, "body"]);
  });
});
