import { expect, test } from "bun:test";
import * as q from "../queries.ts";
import type { Exemplars, Sample, Series } from "./prometheus.ts";
import { readDrill, readHistory, readSnapshot, slowestExemplar } from "./snapshot.ts";

const job = (role: string) => ({ job: `o11y-lab/${role}` });

test("numbers land on their role; NaN and missing read as null; every query at one time", async () => {
  const times = new Set<number | undefined>();
  const answers: Record<string, Sample[]> = {
    [q.requestRate]: [{ labels: job("service-d"), value: 4.5 }],
    [q.latencyQuantile(0.95)]: [
      { labels: job("service-d"), value: 0.25 },
      { labels: job("service-c"), value: Number.NaN },
    ],
    [q.reportingRoles]: [{ labels: job("service-d"), value: 1 }],
    [q.kafkaLag]: [{ labels: {}, value: 7 }],
  };
  const snapshot = await readSnapshot(
    {
      url: "http://prometheus",
      query: async (promql: string, time?: number) => {
        times.add(time);
        return answers[promql] ?? [];
      },
    },
    1000,
  );
  expect([...times]).toEqual([1000]);
  const d = snapshot.services.find((s) => s.role === "service-d");
  expect(d).toEqual({
    role: "service-d",
    unit: "req",
    reporting: true,
    rate: 4.5,
    errorPercent: null,
    p50: null,
    p95: 0.25,
    p99: null,
  });
  expect(snapshot.services.find((s) => s.role === "service-c")?.p95).toBeNull();
  expect(snapshot.kafka).toEqual({ lag: 7, throughput: null });
});

test("history is one column per step, gaps as null", async () => {
  const series: Series[] = [
    {
      labels: job("api-gateway"),
      points: [
        [80, 1],
        [100, 3],
      ],
    },
  ];
  const history = await readHistory({ queryRange: async () => series }, 100, 30, 3);
  expect(history.start).toBe(80);
  expect(history.step).toBe(10);
  expect(history.rate["api-gateway"]).toEqual([1, null, 3]);
});

test("the drill-down puts each route and each peer on its own row, busiest first", async () => {
  const queries = q.drillQueries("service-a");
  const answers: Record<string, Sample[]> = {
    [queries.routes.rate]: [{ labels: { http_route: "/process" }, value: 3 }],
    [queries.routes.p95]: [{ labels: { http_route: "/process" }, value: 0.2 }],
    [queries.dependencies.http.rate]: [
      { labels: { server_address: "service-d" }, value: 1 },
      { labels: { server_address: "api.github.com" }, value: 2 },
    ],
    [queries.dependencies.http.errorPercent]: [{ labels: { server_address: "api.github.com" }, value: 50 }],
    [queries.dependencies.sql.rate]: [{ labels: { server_address: "postgres" }, value: 6 }],
  };
  const drill = await readDrill({ query: async (promql: string) => answers[promql] ?? [] }, "service-a", 1000);
  expect(drill.routes).toEqual([{ kind: "route", name: "/process", rate: 3, errorPercent: null, p95: 0.2 }]);
  expect(drill.dependencies.map((d) => `${d.kind} ${d.name} ${d.rate} ${d.errorPercent}`)).toEqual([
    "http api.github.com 2 50",
    "http service-d 1 null",
    "sql postgres 6 null",
  ]);
});

test("the exemplar key takes the slowest exemplar that carries a trace id", async () => {
  let asked = "";
  const exemplars = async (promql: string): Promise<Exemplars[]> => {
    asked = promql;
    return [
      {
        seriesLabels: { le: "0.025" },
        exemplars: [
          { labels: { trace_id: "fast" }, value: "0.01", timestamp: 1 },
          { labels: {}, value: "9", timestamp: 2 },
        ],
      },
      { seriesLabels: { le: "1" }, exemplars: [{ labels: { trace_id: "slow" }, value: "0.9", timestamp: 3 }] },
    ];
  };
  expect(await slowestExemplar({ exemplars }, "service-d", 0, 10)).toEqual({ traceId: "slow", seconds: 0.9, time: 3 });
  expect(asked).toBe(q.entrySpanDurations("service-d"));
  expect(await slowestExemplar({ exemplars: async () => [] }, "service-d", 0, 10)).toBeNull();
});
