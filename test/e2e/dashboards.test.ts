/**
 * Every query Grafana is provisioned with, run against the real telemetry: each dashboard PromQL (variables
 * substituted) and Tempo's trace → metrics queries against the e2e Prometheus after traffic, exemplars carrying
 * the trace_id Grafana links on, and the resource attributes the Tempo search panels use present on the emitted spans.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ROLES } from "../../src/roles.ts";
import {
  datasources,
  exemplarDestinations,
  panelPromQL,
  panelTraceQL,
  type SourcedQuery,
  substitute,
  tracesToMetrics,
  usesService,
  variablePromQL,
} from "../../src/stack/dashboard-queries.ts";
import { lab } from "./lab.ts";

const l = await lab();

// Traffic for as long as this file runs, so every rate has samples on both ends of its window.
let flowing = true;
const traffic = (async () => {
  while (flowing) {
    await l.get("/api/process").catch(() => undefined);
    await Bun.sleep(250);
  }
})();
afterAll(async () => {
  flowing = false;
  await traffic;
});

const WAIT = { timeoutMs: 90_000 };
// Service-graph series come from Tempo's metrics-generator, and no Tempo runs here: those queries are
// skipped by name (their metric names and labels are still checked offline in src/stack/provisioning.test.ts).
const needsServiceGraph = (q: SourcedQuery) => q.expr.includes("traces_service_graph_");
/** Every role serves HTTP and has spans: per-service queries on these must show each of them. */
const everyRole = (q: SourcedQuery) =>
  /http_server_request_duration_seconds|traces_span_metrics_/.test(q.expr) && !q.expr.includes("span_kind=~");

/** Runs a query until it returns data (or the wait ends), and returns the vector. */
async function data(expr: string, timeoutMs = WAIT.timeoutMs) {
  return l.prometheus.waitForQuery(expr, { timeoutMs }).catch(() => []);
}

describe("every dashboard PromQL returns data after traffic", () => {
  for (const q of [...panelPromQL(), ...variablePromQL()]) {
    const run = needsServiceGraph(q) ? test.skip : test;
    run(
      q.source,
      async () => {
        if (!usesService(q.expr)) {
          const result = await data(substitute(q.expr));
          expect(result.length > 0 ? "data" : `no data: ${substitute(q.expr)}`).toBe("data");
          return;
        }
        const withData: string[] = [];
        for (const role of ROLES) {
          const wait = withData.length ? 10_000 : WAIT.timeoutMs;
          if ((await data(substitute(q.expr, { service: role.name }), wait)).length > 0) withData.push(role.name);
        }
        if (everyRole(q)) expect(withData).toEqual(ROLES.map((r) => r.name));
        else
          expect(withData.length > 0 ? "some role has data" : `no role has data: ${q.expr}`).toBe("some role has data");
      },
      180_000,
    );
  }

  test("the service variable offers every role", async () => {
    const [variable] = variablePromQL();
    const result = await l.prometheus.waitForQuery(variable?.expr ?? "", {
      ...WAIT,
      predicate: (v) => v.length >= ROLES.length,
    });
    const roles = result.map((s) => /^o11y-lab\/(.+)$/.exec(s.metric.job ?? "")?.[1]).sort();
    expect(roles).toEqual(ROLES.map((r) => r.name).sort());
  });
});

describe("Tempo's trace → metrics queries return data for a span's service", () => {
  const { queries, tagLabels } = tracesToMetrics();
  for (const q of queries) {
    test(q.source, async () => {
      const expr = substitute(q.expr, { tags: Object.fromEntries(tagLabels.map((label) => [label, "api-gateway"])) });
      if (q.expr.includes("STATUS_CODE_ERROR")) {
        // Error spans exist only when something failed: the query must be accepted; data is not required.
        await l.prometheus.query(expr);
        return;
      }
      expect((await data(expr)).length).toBeGreaterThan(0);
    });
  }
});

describe("metrics → trace: exemplars carry the label Grafana links to Tempo", () => {
  test("an exemplar opens the provisioned Tempo", () => {
    const tempo = datasources().find((d) => d.type === "tempo")?.uid;
    expect(exemplarDestinations().map((d) => d.datasourceUid)).toEqual([tempo]);
  });
  const destination = exemplarDestinations()[0]?.name ?? "(no exemplar destination)";

  for (const q of panelPromQL().filter((p) => p.exemplar)) {
    test(`${q.source}: exemplars have ${destination} = a trace id`, async () => {
      const expr = substitute(q.expr, usesService(q.expr) ? { service: "api-gateway" } : {});
      let ids: string[] = [];
      const deadline = Date.now() + WAIT.timeoutMs;
      while (ids.length === 0 && Date.now() < deadline) {
        const series = await l.prometheus.exemplars(expr, 600);
        ids = series.flatMap((s) => s.exemplars.map((e) => e.labels[destination] ?? ""));
        if (ids.length === 0) await Bun.sleep(2000);
      }
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    });
  }
});

// The Loki templates are checked in logql.test.ts.
describe("the Tempo search panels select what the services really emit", () => {
  test("spans carry what the trace search panels filter on", async () => {
    const spans = await l.sink.waitFor(() => l.sink.spans(), 30_000, "spans");
    for (const q of panelTraceQL()) {
      for (const m of q.expr.matchAll(/resource\.([a-z.]+)="([^"]+)"/g)) {
        expect(spans.some((s) => s.resource[m[1] ?? ""] === m[2])).toBe(true);
      }
    }
  });
});
