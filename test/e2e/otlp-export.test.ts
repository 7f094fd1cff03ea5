/**
 * `o11y-lab up --otlp-endpoint URL --otlp-header K=V`: the real collector (same version and config as the stack)
 * runs with the overlay `up` writes as a second --config, and everything it receives reaches the external
 * endpoint too, with the header.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { otlpExportConfig } from "../../src/stack/otlp-export.ts";
import { cachePaths, pollUntil, portOpen, REPO_ROOT, tail } from "./peers.ts";

const dir = mkdtempSync(join(tmpdir(), "o11y-lab-otlp-export-"));
const children: Array<{ kill(): void }> = [];
afterAll(() => {
  for (const child of children) child.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Ports of its own, so the shared lab's collector (fixed test ports) can run at the same time. */
async function freePorts(count: number, from: number): Promise<number[]> {
  const ports: number[] = [];
  for (let port = from; ports.length < count && port < from + 1000; port++)
    if (!(await portOpen(port))) ports.push(port);
  return ports;
}

test("the collector validates and runs with the overlay, and exports every signal to the external endpoint", async () => {
  const received: Array<{ path: string; authorization: string | null }> = [];
  const external = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      received.push({ path: new URL(request.url).pathname, authorization: request.headers.get("authorization") });
      return new Response(null, { status: 200 });
    },
  });
  children.push({ kill: () => external.stop(true) });

  const binary = cachePaths().collector.binary;
  const base = join(REPO_ROOT, "stack/otel-collector/config.yaml");
  writeFileSync(
    join(dir, "otlp-export.yaml"),
    otlpExportConfig(`http://127.0.0.1:${external.port}`, { Authorization: "Bearer lab-$ecret" }),
  );
  const configs = [`--config=${base}`, `--config=${join(dir, "otlp-export.yaml")}`];

  const validate = Bun.spawnSync([binary, "validate", ...configs]);
  expect(validate.stderr.toString()).not.toContain("Error");
  expect(validate.exitCode).toBe(0);

  const sink = `http://127.0.0.1:${external.port}/stack`;
  const log = join(dir, "otelcol.log");
  /** Starts the collector on ports of its own; a run that exits before its health check answers is tried again on
   * other ports (a port found free may be taken before the collector binds it), with its log in the error. */
  async function start(attempt = 1): Promise<number> {
    const [grpc, http, prom, health, own] = await freePorts(5, 46_000 + 1000 * (attempt - 1));
    const collector = Bun.spawn([binary, ...configs], {
      env: {
        ...process.env,
        OTEL_BIND: "127.0.0.1",
        OTLP_GRPC_PORT: String(grpc),
        OTLP_HTTP_PORT: String(http),
        OTEL_PROMETHEUS_PORT: String(prom),
        OTEL_HEALTH_PORT: String(health),
        OTEL_METRICS_PORT: String(own),
        TEMPO_OTLP_URL: sink,
        LOKI_OTLP_URL: `${sink}/otlp/v1/logs`,
      },
      stdout: "ignore",
      stderr: Bun.file(log),
    });
    children.push(collector);
    await pollUntil(
      "the collector's health check",
      async () => collector.exitCode !== null || (await fetch(`http://127.0.0.1:${health}/`)).ok,
      { timeoutMs: 30_000, detail: () => tail(log) },
    );
    if (collector.exitCode === null) return http as number;
    if (attempt >= 3) throw new Error(`the collector exited (${collector.exitCode}) three times:\n${tail(log)}`);
    return start(attempt + 1);
  }
  const http = await start();

  const resource = { attributes: [{ key: "service.name", value: { stringValue: "export-test" } }] };
  const now = `${Date.now()}000000`;
  const post = (signal: string, body: unknown) =>
    fetch(`http://127.0.0.1:${http}/v1/${signal}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const traceId = "5b8efff798038103d269b633813fc60c";
  await post("traces", {
    resourceSpans: [
      {
        resource,
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: "eee19b7ec3c1b174",
                name: "GET /x",
                kind: 2,
                startTimeUnixNano: now,
                endTimeUnixNano: now,
              },
            ],
          },
        ],
      },
    ],
  });
  await post("logs", {
    resourceLogs: [
      { resource, scopeLogs: [{ logRecords: [{ timeUnixNano: now, body: { stringValue: "hi" }, traceId }] }] },
    ],
  });
  await post("metrics", {
    resourceMetrics: [
      {
        resource,
        scopeMetrics: [
          {
            metrics: [
              {
                name: "export_test",
                sum: { dataPoints: [{ asInt: "1", timeUnixNano: now }], isMonotonic: true, aggregationTemporality: 2 },
              },
            ],
          },
        ],
      },
    ],
  });

  const at = (path: string) => received.filter((r) => r.path === path);
  await pollUntil(
    "traces, logs and metrics at the external endpoint",
    () => ["/v1/traces", "/v1/logs", "/v1/metrics"].every((p) => at(p).length > 0),
    { timeoutMs: 30_000, detail: () => JSON.stringify(received) },
  );
  for (const path of ["/v1/traces", "/v1/logs", "/v1/metrics"]) {
    // The overlay doubled the `$` so the collector would not expand it: the backend gets the header as typed.
    expect(at(path)[0]?.authorization).toBe("Bearer lab-$ecret");
  }
  // The stack's own exporters still get theirs.
  expect(received.some((r) => r.path === "/stack/v1/traces")).toBe(true);
});
