/**
 * The stack's own config files, checked by the real programs of the versions compose runs.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { cachePaths, REPO_ROOT } from "./peers.ts";

const stack = (path: string) => join(REPO_ROOT, "stack", path);
const text = (path: string) => Bun.file(stack(path)).text();

describe("the stack's configs, checked by the real tools", () => {
  test("the collector of the stack's version accepts stack/otel-collector/config.yaml as it is", async () => {
    const paths = cachePaths();
    const run = Bun.spawnSync([paths.collector.binary, "validate", `--config=${stack("otel-collector/config.yaml")}`]);
    expect(run.stderr.toString()).not.toContain("Error");
    expect(run.exitCode).toBe(0);
    const version = Bun.spawnSync([paths.collector.binary, "--version"]).stdout.toString();
    const compose = await text("compose.yaml");
    const tag = /otel-collector-contrib:(\d+\.\d+\.\d+)/.exec(compose)?.[1];
    expect(tag).toBeDefined();
    expect(version).toContain(tag as string);
  });

  test("promtool of the stack's Prometheus version passes stack/prometheus/prometheus.yml", async () => {
    const paths = cachePaths();
    const run = Bun.spawnSync([paths.prometheus.promtool, "check", "config", stack("prometheus/prometheus.yml")]);
    expect(run.stdout.toString() + run.stderr.toString()).toContain("SUCCESS");
    expect(run.exitCode).toBe(0);
    expect(await text("compose.yaml")).toContain(`prom/prometheus:v${paths.prometheus.version}`);
  });

  test("the Kafka the tests run is the Kafka compose runs", async () => {
    expect(await text("compose.yaml")).toContain(`apache/kafka:${cachePaths().kafka.version}`);
  });
});
