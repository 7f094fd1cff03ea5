// Spike test: sudden bursts to 100 and then 150 users. A 503 under the burst is tolerated (shedding load is a
// valid answer); what matters is that the lab answers quickly and recovers between the spikes.
import { check, sleep } from "k6";
import http from "k6/http";
import { Rate, Trend } from "k6/metrics";
import { BASE_URL, SERVICE_A_URL } from "./lib/config.js";
import { field, logFailure, requireHealthy } from "./lib/http.js";
import { optionsFor } from "./lib/scenarios.js";
import { summaryHandler } from "./lib/summary.js";

const successRate = new Rate("success_rate");
const responseTime = new Trend("response_time", true);

export const options = optionsFor("spike");

export function setup() {
  requireHealthy(`${BASE_URL}/health`);
  return { startedAt: Date.now() };
}

export default function () {
  const res = http.get(`${BASE_URL}/api/process`, { tags: { name: "process" }, timeout: "30s" });
  check(res, {
    "process: status is 200 or 503": (r) => r.status === 200 || r.status === 503,
    "process: valid answer or shed load": (r) =>
      (r.status === 200 && field(r, "status") !== undefined) || r.status === 503,
    "process: answered within 10s": (r) => r.timings.duration < 10000,
  });
  successRate.add(res.status === 200);
  responseTime.add(res.timings.duration);
  if (res.status !== 200) logFailure("GET /api/process", res);

  if (Math.random() < 0.3) {
    const stats = http.get(`${SERVICE_A_URL}/stats`, { tags: { name: "stats" }, timeout: "10s" });
    check(stats, { "stats: available or busy": (r) => r.status === 200 || r.status === 503 });
  }
  sleep(Math.random() * 0.5);
}

export function teardown(data) {
  console.log(`spike test: ran ${((Date.now() - data.startedAt) / 1000).toFixed(0)}s`);
}

export const handleSummary = summaryHandler("spike", "Spike test results", {
  trends: ["http_req_duration", "response_time"],
  rates: ["success_rate"],
});
