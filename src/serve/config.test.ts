import { expect, test } from "bun:test";
import { LabError } from "../errors.ts";
import { readConfig } from "./config.ts";

test("a service refuses to start when the stack was written by another version, and says how to fix it", () => {
  const run = () => readConfig("service-d", { O11Y_LAB_STACK_VERSION: "0.9.0" }, "1.0.0");
  expect(run).toThrow(LabError);
  expect(run).toThrow("this service runs o11y-lab 1.0.0, but the stack was written by o11y-lab 0.9.0");
  try {
    run();
  } catch (error) {
    expect((error as LabError).hint).toContain("run `o11y-lab up` again");
  }
});

test("the same version, or no stack version (serve run by hand), starts", () => {
  expect(readConfig("service-d", { O11Y_LAB_STACK_VERSION: "1.0.0" }, "1.0.0").port).toBe(8004);
  expect(readConfig("service-d", {}, "1.0.0").port).toBe(8004);
});
