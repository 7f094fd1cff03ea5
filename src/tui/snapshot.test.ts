import { expect, test } from "bun:test";
import * as q from "../queries.ts";
import type { Sample, Series } from "./prometheus.ts";
import { readHistory, readSnapshot } from "./snapshot.ts";

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
