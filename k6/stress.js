// Stress test: steps up to 200 users to find where latency and errors break, then lets the lab recover.
import { check, sleep } from "k6";
import http from "k6/http";
import { Counter, Rate } from "k6/metrics";
import { BASE_URL } from "./lib/config.js";
import { field, logFailure } from "./lib/http.js";
import { optionsFor } from "./lib/scenarios.js";
import { summaryHandler } from "./lib/summary.js";

const errors = new Counter("errors");
const successRate = new Rate("success_rate");

export const options = optionsFor("stress");

export function setup() {
  return { startedAt: Date.now() };
}

export default function () {
  const res = http.get(`${BASE_URL}/api/process`, { tags: { name: "process" }, timeout: "30s" });
  const ok = check(res, {
    "process: status is 200": (r) => r.status === 200,
    "process: response has status": (r) => field(r, "status") !== undefined,
  });
  successRate.add(ok);
  if (!ok) {
    errors.add(1);
    logFailure("GET /api/process", res);
  }
  sleep(Math.random() * 3);
}

export function teardown(data) {
  console.log(`stress test: ran ${((Date.now() - data.startedAt) / 1000).toFixed(0)}s`);
}

export const handleSummary = summaryHandler("stress", "Stress test results", {
  trends: ["http_req_duration"],
  rates: ["success_rate"],
  counters: ["errors"],
});
