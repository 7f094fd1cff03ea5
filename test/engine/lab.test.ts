/**
 * `o11y-lab up` on a real Docker engine, from nothing: 12/12 healthy, the banner, the time since the command
 * started; then traffic through 127.0.0.1:8080 and the telemetry it makes, as far as the containers carry it:
 * every dashboard and TUI query answered by the containerized Prometheus, one trace across all five roles and
 * Kafka at the Tempo stand-in, logs with trace_id at the Loki stand-in; status, logs, logs -f; k6 through its
 * stand-in image.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as q from "../../src/queries.ts";
import { ROLES } from "../../src/roles.ts";
import { panelPromQL, substitute, usesService, variablePromQL } from "../../src/stack/dashboard-queries.ts";
import type { Snapshot } from "../../src/tui/snapshot.ts";
import { BINARY, docker, ENV, figure, gateway, lab, promQuery, records, STATE_DIR, said, until } from "./engine.ts";

const MINUTE = 60_000;
/** The roles a request to the gateway passes through, each serving HTTP (service-c only consumes from Kafka). */
const SERVING = ["api-gateway", "service-a", "service-b", "service-d"];

test(
  "up from nothing: 12/12 healthy, the banner, and the time counted from the command's start",
  async () => {
    const run = await lab(["up"], { timeoutMs: 10 * MINUTE });
    expect(run.code, said(run)).toBe(0);
    const healthy = /all 12 containers healthy, (\d+) s after o11y-lab up started/.exec(run.output);
    expect(healthy, said(run)).not.toBeNull();
    // What the person waited: the whole command, compose's image build and starts included.
    expect(Number(healthy?.[1])).toBeGreaterThanOrEqual(Math.floor(run.seconds) - 2);
    for (const url of ["http://127.0.0.1:3000", "http://127.0.0.1:8080/api/process", "http://127.0.0.1:9090"]) {
      expect(run.output).toContain(url);
    }
    figure("up to healthy, first start (s)", run.seconds.toFixed(1));
  },
  11 * MINUTE,
);

test("every container runs a labelled look-alike or stand-in, and the collector was built here, not pulled", async () => {
  const ps = await docker("ps", "--filter", "label=com.docker.compose.project=o11y-lab", "--format", "{{.Image}}");
  const images = [...new Set(ps.stdout.trim().split("\n"))];
  for (const image of images.filter((i) => !i.startsWith("o11y-lab/"))) {
    const label = await docker(
      "image",
      "inspect",
      "--format",
      '{{index .Config.Labels "org.o11y-lab.look-alike"}}',
      image,
    );
    expect({ image, label: label.stdout.trim() }).toEqual({ image, label: image });
  }
  const collector = await docker("image", "inspect", "--format", "{{.Id}}", "o11y-lab/otel-collector-contrib:0.165.0");
  expect(collector.code, said(collector)).toBe(0);
});

describe("after traffic through 127.0.0.1:8080", () => {
  let flowing = true;
  const answers: number[] = [];
  let traffic: Promise<void> = Promise.resolve();
  // Started once the lab is up (the tests above), and kept flowing so that every rate has two ends.
  beforeAll(() => {
    traffic = (async () => {
      while (flowing) {
        answers.push(
          await gateway().then(
            (r) => r.status,
            () => 0,
          ),
        );
        await Bun.sleep(200);
      }
    })();
  });
  afterAll(async () => {
    flowing = false;
    await traffic;
  });

  test(
    "the gateway answers 200",
    async () => {
      await until("20 answers", async () => answers.length >= 20, MINUTE);
      expect(answers.slice(0, 20)).toEqual(Array(20).fill(200));
    },
    MINUTE,
  );

  // The queries every dashboard panel and variable runs, extracted as test/e2e/dashboards.test.ts does. The
  // service-graph ones need Tempo's metrics-generator, which the Tempo stand-in does not have.
  const promql = [...panelPromQL(), ...variablePromQL()].filter((p) => !p.expr.includes("traces_service_graph_"));
  test(
    `every dashboard PromQL (${promql.length}) answers from the containerized Prometheus`,
    async () => {
      const empty: string[] = [];
      for (const p of promql) {
        const exprs = usesService(p.expr)
          ? ROLES.map((r) => substitute(p.expr, { service: r.name }))
          : [substitute(p.expr)];
        const found = await until(
          p.source,
          async () => {
            for (const expr of exprs) if ((await promQuery(expr)).length > 0) return true;
            return false;
          },
          90_000,
        ).catch(() => false);
        if (!found) empty.push(`${p.source}: ${p.expr}`);
      }
      expect(empty).toEqual([]);
    },
    30 * MINUTE,
  );

  test(
    "the TUI's queries answer, and tui --once --json gives what the PromQL gives",
    async () => {
      // No errors flow, so errorPercent may rightly be empty; every other number has data.
      for (const expr of [
        q.requestRate,
        q.latencyQuantile(0.95),
        q.reportingRoles,
        q.kafkaLag,
        q.kafkaThroughput,
        q.targetsUp,
      ]) {
        await until(expr, async () => (await promQuery(expr)).length > 0, 90_000);
      }
      // A quantile needs two scrapes of a moving histogram: wait for a non-zero one, as the TUI shows it.
      const pg = q.postgresQuantile(0.95);
      await until(pg, async () => Number((await promQuery(pg))[0]?.value[1] ?? 0) > 0, 2 * MINUTE);
      // Every role the traffic goes through (service-c only consumes Kafka) has a rate with two scrapes behind it.
      await until(
        "a request rate for every role",
        async () => {
          const rates = await promQuery(q.requestRate);
          return SERVING.every((r) => rates.some((s) => s.metric.job === `o11y-lab/${r}` && Number(s.value[1]) > 0));
        },
        2 * MINUTE,
      );
      // The same PromQL asked directly at the snapshot's evaluation time. A scrape stamped just before that time can
      // land between the two readings, so a differing pair is read again (three tries), never waved through.
      const reading = async () => {
        const run = Bun.spawnSync([BINARY, "tui", "--once", "--json"], { env: ENV });
        expect(run.exitCode, run.stderr.toString()).toBe(0);
        const snapshot = JSON.parse(run.stdout.toString()) as Snapshot;
        const ask = async (query: string) => {
          const params = new URLSearchParams({ query, time: String(snapshot.time) });
          const answer = (await (await fetch(`http://127.0.0.1:9090/api/v1/query?${params}`)).json()) as {
            data: { result: { metric: { job?: string }; value: [number, string] }[] };
          };
          return answer.data.result;
        };
        const [rates, throughput] = await Promise.all([ask(q.requestRate), ask(q.kafkaThroughput)]);
        const number = (v: string | undefined) => (v === undefined ? null : Number(v));
        // service-c's row counts the Kafka messages it processes, the other roles' the HTTP requests they serve.
        const pairs = ROLES.map((role) => ({
          role: role.name,
          shown: snapshot.services.find((s) => s.role === role.name)?.rate,
          direct:
            role.name === "service-c"
              ? number(throughput[0]?.value[1])
              : number(rates.find((r) => r.metric.job === `o11y-lab/${role.name}`)?.value[1]),
        }));
        return { snapshot, pairs };
      };
      let { snapshot, pairs } = await reading();
      for (let i = 0; i < 2 && pairs.some((p) => p.shown !== p.direct); i++) ({ snapshot, pairs } = await reading());
      expect(pairs.filter((p) => p.shown !== p.direct)).toEqual([]);
      expect(snapshot.services.find((s) => s.role === "api-gateway")?.rate ?? 0).toBeGreaterThan(0);
      expect(snapshot.postgres.p95 ?? 0).toBeGreaterThan(0);
    },
    5 * MINUTE,
  );

  test(
    "one trace crosses all five roles and Kafka, and reaches the Tempo stand-in",
    async () => {
      const trace = await until(
        "a trace with spans from all five roles and a Kafka span",
        async () => {
          const services = new Map<string, Set<string>>();
          const kafka = new Set<string>();
          for (const r of (await records(3200)).records.filter((r) => r.kind === "traces")) {
            const payload = r.body.payload as {
              resourceSpans?: {
                resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
                scopeSpans?: {
                  spans?: { traceId: string; attributes?: { key: string; value: { stringValue?: string } }[] }[];
                }[];
              }[];
            };
            for (const rs of payload.resourceSpans ?? []) {
              const service = rs.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue ?? "";
              for (const span of (rs.scopeSpans ?? []).flatMap((s) => s.spans ?? [])) {
                services.set(span.traceId, (services.get(span.traceId) ?? new Set()).add(service));
                if (span.attributes?.some((a) => a.key === "messaging.system" && a.value.stringValue === "kafka"))
                  kafka.add(span.traceId);
              }
            }
          }
          return [...services].find(([id, s]) => kafka.has(id) && ROLES.every((role) => s.has(role.name)))?.[0];
        },
        2 * MINUTE,
      );
      expect(trace).toMatch(/^[0-9a-f]{32}$/);
    },
    3 * MINUTE,
  );

  test(
    "logs with a trace_id reach the Loki stand-in",
    async () => {
      const withTrace = await until(
        "a log record with a trace id",
        async () => {
          for (const r of (await records(3100)).records.filter((r) => r.kind === "logs")) {
            const payload = r.body.payload as {
              resourceLogs?: { scopeLogs?: { logRecords?: { traceId?: string }[] }[] }[];
            };
            const logs = (payload.resourceLogs ?? []).flatMap((rl) =>
              (rl.scopeLogs ?? []).flatMap((s) => s.logRecords ?? []),
            );
            const hit = logs.find((l) => /^[0-9a-f]{32}$/.test(l.traceId ?? ""));
            if (hit) return hit;
          }
          return undefined;
        },
        2 * MINUTE,
      );
      expect(withTrace.traceId).toMatch(/^[0-9a-f]{32}$/);
    },
    3 * MINUTE,
  );
});

test("status: every service running and healthy with its 127.0.0.1 port", async () => {
  const run = await lab(["status"]);
  expect(run.code, said(run)).toBe(0);
  const rows = run.stdout.trim().split("\n").slice(1);
  expect(rows).toHaveLength(12);
  for (const row of rows) expect(row).toMatch(/^\S+\s+running\s+healthy\s+/);
  expect(run.stdout).toMatch(/^api-gateway\s+running\s+healthy\s+127\.0\.0\.1:8080$/m);
});

test("logs service-a, and logs service-a -f stopped after its first line", async () => {
  const run = await lab(["logs", "service-a"]);
  expect(run.code, said(run)).toBe(0);
  expect(run.stdout).toContain("service-a");
  const follow = Bun.spawn([BINARY, "logs", "service-a", "-f"], { env: ENV, stdout: "pipe", stderr: "pipe" });
  const reader = follow.stdout.getReader();
  const first = await Promise.race([reader.read(), Bun.sleep(30_000).then(() => undefined)]);
  expect(new TextDecoder().decode(first?.value ?? new Uint8Array())).toContain("service-a");
  follow.kill("SIGINT");
  const code = await Promise.race([follow.exited, Bun.sleep(15_000).then(() => "still running")]);
  expect(code).not.toBe("still running");
});

test("k6 smoke: the pinned image on the lab network with the scripts mounted, and its exit code passed on", async () => {
  const reports = join(STATE_DIR, "k6", "reports");
  mkdirSync(reports, { recursive: true });
  const recordFile = join(reports, "k6-standin.json");
  rmSync(recordFile, { force: true });
  writeFileSync(join(reports, "k6-standin-exit-code"), "99\n"); // k6's own code for crossed thresholds
  const run = await lab(["k6", "smoke"]);
  rmSync(join(reports, "k6-standin-exit-code"));
  expect(run.code, said(run)).toBe(99);
  expect(run.output).toContain("thresholds crossed (exit code 99)");
  expect(existsSync(recordFile), said(run)).toBe(true);
  const k6 = JSON.parse(readFileSync(recordFile, "utf8")) as {
    argv: string[];
    env: Record<string, string>;
    mounts: Record<string, string[]>;
  };
  expect(k6.argv[0]).toBe("run");
  expect(k6.argv).toContain("opentelemetry");
  expect(k6.argv).toContain("BASE_URL=http://api-gateway:8080");
  expect(k6.argv.at(-1)).toBe("/scripts/smoke.js");
  expect(k6.mounts["/scripts"]).toContain("smoke.js");
  expect(k6.env.K6_OTEL_HTTP_EXPORTER_ENDPOINT).toBe("otel-collector:4318");
  const annotations = (await records(3000)).records.map((r) => (r.body.payload as { text?: string }).text);
  expect(annotations).toContain("k6 smoke started");
  expect(annotations).toContain("k6 smoke finished (exit code 99)");
});
