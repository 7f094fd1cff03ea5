// The shape of every test in one place: the scripts build their `options` from it, and `o11y-lab k6 list`
// computes durations and peak VUs from the very same stages, so the numbers in the docs cannot drift.

/** Each test: what it is for, its load shape (fixed `vus` + `duration`, or ramping `stages`) and its thresholds. */
export const SCENARIOS = {
  smoke: {
    summary: "1 VU for a minute: is everything wired? Run it first.",
    vus: 1,
    duration: "1m",
    thresholds: {
      http_req_failed: ["rate<0.01"],
      http_req_duration: ["p(95)<1000"],
    },
  },
  load: {
    summary: "Normal traffic: 5, then 20, then 50 VUs, then back down.",
    stages: [
      { duration: "10s", target: 5 },
      { duration: "30s", target: 5 },
      { duration: "20s", target: 20 },
      { duration: "1m", target: 20 },
      { duration: "10s", target: 50 },
      { duration: "30s", target: 50 },
      { duration: "20s", target: 5 },
      { duration: "10s", target: 0 },
    ],
    thresholds: {
      http_req_failed: ["rate<0.01"],
      http_req_duration: ["p(95)<2000"],
      "http_req_duration{name:process}": ["p(99)<5000"],
      process_success_rate: ["rate>0.99"],
    },
  },
  stress: {
    summary: "Step up to 200 VUs to find where latency and errors break.",
    stages: [
      { duration: "10s", target: 10 },
      { duration: "30s", target: 10 },
      { duration: "30s", target: 50 },
      { duration: "1m", target: 50 },
      { duration: "30s", target: 100 },
      { duration: "1m", target: 100 },
      { duration: "30s", target: 200 },
      { duration: "1m", target: 200 },
      { duration: "30s", target: 0 },
    ],
    thresholds: {
      http_req_failed: ["rate<0.05"],
      http_req_duration: ["p(95)<5000"],
      success_rate: ["rate>0.90"],
    },
  },
  spike: {
    summary: "Sudden bursts to 100 and 150 VUs: does the lab absorb them and recover?",
    stages: [
      { duration: "30s", target: 10 },
      { duration: "10s", target: 100 },
      { duration: "30s", target: 100 },
      { duration: "10s", target: 10 },
      { duration: "1m", target: 10 },
      { duration: "10s", target: 150 },
      { duration: "30s", target: 150 },
      { duration: "20s", target: 0 },
    ],
    thresholds: {
      http_req_failed: ["rate<0.10"],
      http_req_duration: ["p(90)<3000"],
      success_rate: ["rate>0.85"],
    },
  },
};

/**
 * The percentiles k6 computes for every Trend in the end-of-test summary. The summary code reads only these:
 * k6's default leaves out p(99), and reading a stat k6 did not compute is what crashed the original summaries.
 */
export const SUMMARY_TREND_STATS = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"];

/**
 * The k6 `options` of the named test. `-e VUS=… -e DURATION=…` (what `o11y-lab k6 <test> --vus/--duration` passes,
 * always both) replace its shape by that many VUs for that long, keeping its thresholds.
 */
export function optionsFor(name, env = __ENV) {
  const { vus, duration, stages, thresholds } = SCENARIOS[name];
  const constant = env.VUS && env.DURATION ? { vus: Number(env.VUS), duration: env.DURATION } : undefined;
  const shape = constant ?? (stages ? { stages } : { vus, duration });
  return { ...shape, thresholds, summaryTrendStats: SUMMARY_TREND_STATS };
}
