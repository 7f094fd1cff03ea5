import { expect, test } from "bun:test";
import { join } from "node:path";
import { LabError } from "../errors.ts";
import { EXTERNAL_EXPORTER, otlpExportConfig, parseEndpoint, parseHeaders, repeatedFlag } from "./otlp-export.ts";

test("repeatedFlag collects every value, in both spellings", () => {
  expect(repeatedFlag(["up", "--otlp-header", "A=1", "--x", "--otlp-header=B=2=3"], "--otlp-header")).toEqual([
    "A=1",
    "B=2=3",
  ]);
});

test("headers are K=V; the value may contain = and spaces", () => {
  expect(parseHeaders(["Authorization=Bearer a=b", "x-scope=lab"])).toEqual({
    Authorization: "Bearer a=b",
    "x-scope": "lab",
  });
  expect(() => parseHeaders(["novalue"])).toThrow(LabError);
});

test("the endpoint must be an http(s) URL", () => {
  expect(parseEndpoint("https://otlp.example.com:4318")).toBe("https://otlp.example.com:4318");
  expect(() => parseEndpoint("otlp.example.com")).toThrow('--otlp-endpoint "otlp.example.com" is not a URL');
  expect(() => parseEndpoint("grpc://x:4317")).toThrow("--otlp-endpoint must be http or https, not grpc:");
});

test("the overlay adds the external exporter to every pipeline of the stack's collector config", () => {
  const overlay = Bun.YAML.parse(otlpExportConfig("http://b:4318", {})) as {
    exporters: Record<string, unknown>;
    service: { pipelines: Record<string, { exporters: string[] }> };
  };
  expect(overlay.exporters[EXTERNAL_EXPORTER]).toEqual({ endpoint: "http://b:4318" });
  expect(Object.keys(overlay.service.pipelines).sort()).toEqual(["logs", "metrics", "traces"]);
  for (const p of Object.values(overlay.service.pipelines)) expect(p.exporters.at(-1)).toBe(EXTERNAL_EXPORTER);
});

test("the CLI reads every --otlp-header, and checks them before touching Docker", () => {
  const result = Bun.spawnSync(
    [
      process.execPath,
      join(import.meta.dir, "../index.ts"),
      "up",
      "--otlp-endpoint",
      "http://b:4318",
      "--otlp-header",
      "A=1",
      "--otlp-header",
      "broken",
    ],
    { env: { ...process.env, PATH: "/nonexistent" } },
  );
  expect(result.exitCode).toBe(1);
  expect(result.stderr.toString().trim()).toBe(
    'o11y-lab: --otlp-header "broken" is not K=V — write it as --otlp-header "Authorization=Bearer …"',
  );
});
