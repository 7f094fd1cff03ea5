import { reportFile } from "./config.js";
import { SUMMARY_TREND_STATS } from "./scenarios.js";

const LATENCY_STATS = ["avg", "med", "p(90)", "p(95)", "p(99)", "max"];

/** One stat of a Trend; asking for a stat k6 was not told to compute is a bug in this file, so it throws. */
function stat(values, key) {
  if (!SUMMARY_TREND_STATS.includes(key)) throw new Error(`${key} is not in summaryTrendStats`);
  const value = values?.[key];
  return typeof value === "number" ? `${value.toFixed(1)}ms` : "n/a";
}

function percent(value) {
  return typeof value === "number" ? `${(value * 100).toFixed(2)}%` : "n/a";
}

function line(label, text) {
  return `  ${label.padEnd(34)} ${text}`;
}

function trendLine(data, name) {
  const values = data.metrics[name]?.values;
  return line(name, LATENCY_STATS.map((key) => `${key}=${stat(values, key)}`).join(" "));
}

function thresholdLines(data) {
  const lines = [];
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expression, result] of Object.entries(metric.thresholds ?? {})) {
      lines.push(`  ${result.ok ? "✓" : "✗"} ${name} ${expression}`);
    }
  }
  return lines;
}

/** The end-of-test text: totals, latency, the named custom metrics, and each threshold passed or crossed. */
export function summaryText(title, data, show) {
  const m = data.metrics;
  const seconds = (data.state?.testRunDurationMs ?? 0) / 1000;
  const checks = m.checks?.values;
  const lines = [
    "",
    title,
    "=".repeat(60),
    line("duration", `${seconds.toFixed(1)}s, peak ${m.vus_max?.values?.max ?? "n/a"} VUs`),
    line("requests", `${m.http_reqs?.values?.count ?? 0} (${(m.http_reqs?.values?.rate ?? 0).toFixed(1)}/s)`),
    line("failed requests", percent(m.http_req_failed?.values?.rate)),
    line(
      "checks passed",
      checks ? `${percent(checks.rate)} (${checks.passes} / ${checks.passes + checks.fails})` : "n/a",
    ),
    ...(show.trends ?? []).map((name) => trendLine(data, name)),
    ...(show.rates ?? []).map((name) => line(name, percent(m[name]?.values?.rate))),
    ...(show.counters ?? []).map((name) => line(name, `${m[name]?.values?.count ?? 0}`)),
    "",
    "thresholds",
    ...thresholdLines(data),
    "",
  ];
  return lines.join("\n");
}

/**
 * The script's handleSummary: prints summaryText and writes k6's whole summary object as JSON to the report
 * file (REPORT_FILE, which `o11y-lab k6` points into the lab's state dir).
 */
export function summaryHandler(name, title, show) {
  return (data) => ({
    stdout: summaryText(title, data, show),
    [reportFile(name)]: JSON.stringify(data, null, 2),
  });
}
