import { describe, expect, test } from "bun:test";
import { formatError, HttpError, LabError } from "./errors.ts";

describe("errors", () => {
  test("a CLI error is one line: what went wrong, then the fix", () => {
    expect(formatError(new LabError("Docker is not running", "start it, then run o11y-lab up"))).toBe(
      "Docker is not running — start it, then run o11y-lab up",
    );
    expect(formatError(new LabError("Unknown command \u001b[36mbogus\u001b[39m", "run o11y-lab k6 --help"))).toBe(
      "Unknown command bogus — run o11y-lab k6 --help",
    );
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
