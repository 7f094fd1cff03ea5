import { describe, expect, test } from "bun:test";
import { formatError, HttpError, LabError } from "./errors.ts";

describe("errors", () => {
  test("a CLI error is one line: what went wrong, then the fix", () => {
    expect(formatError(new LabError("Docker is not running", "start it, then run o11y-lab up"))).toBe(
      "Docker is not running — start it, then run o11y-lab up",
    );
    expect(
      formatError(Object.assign(new Error("Unknown command \u001b[36mbogus\u001b[39m"), { code: "E_UNKNOWN_COMMAND" })),
    ).toBe("Unknown command bogus — run o11y-lab --help to see the commands");
  });

  test("dependency failures map to 502/503/504 and name the dependency", () => {
    expect(HttpError.dependency("kafka", "failed", "x").status).toBe(502);
    expect(HttpError.dependency("kafka", "unavailable", "x").status).toBe(503);
    expect(HttpError.dependency("kafka", "timeout", "x")).toMatchObject({
      status: 504,
      details: { dependency: "kafka" },
    });
    expect(HttpError.badRequest("value", "x")).toMatchObject({ status: 400, details: { field: "value" } });
  });
});
