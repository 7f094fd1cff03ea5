// Load test: ramps 5 → 20 → 50 users, the traffic a lab sees on a normal day, and checks every endpoint.
import { check, sleep } from "k6";
import http from "k6/http";
import { Counter, Rate, Trend } from "k6/metrics";
import { BASE_URL, SERVICE_A_URL } from "./lib/config.js";
import { field, logFailure, requireHealthy } from "./lib/http.js";
import { optionsFor } from "./lib/scenarios.js";
import { summaryHandler } from "./lib/summary.js";

const processErrors = new Counter("process_errors");
const processSuccessRate = new Rate("process_success_rate");
const processDuration = new Trend("process_duration", true);

export const options = optionsFor("load");

export function setup() {
  requireHealthy(`${BASE_URL}/health`);
  return { startTime: new Date().toISOString() };
}

function processRequest() {
  const res = http.get(`${BASE_URL}/api/process`, { tags: { name: "process" }, timeout: "30s" });
  const ok = check(res, {
    "process: status is 200": (r) => r.status === 200,
    "process: response has status": (r) => field(r, "status") !== undefined,
    "process: response has data": (r) => field(r, "data") !== undefined,
    "process: answered within 5s": (r) => r.timings.duration < 5000,
  });
  processSuccessRate.add(ok);
  processDuration.add(res.timings.duration);
  if (!ok) {
    processErrors.add(1);
    logFailure("GET /api/process", res);
  }
}

function info() {
  const res = http.get(`${BASE_URL}/api/info`, { tags: { name: "info" } });
  check(res, {
    "info: status is 200": (r) => r.status === 200,
    "info: service is api-gateway": (r) => field(r, "service") === "api-gateway",
  });
}

function stats() {
  const res = http.get(`${SERVICE_A_URL}/stats`, { tags: { name: "stats" } });
  check(res, {
    "stats: status is 200": (r) => r.status === 200,
    "stats: service is service-a": (r) => field(r, "service") === "service-a",
    "stats: response has stats": (r) => field(r, "stats") !== undefined,
  });
}

function health() {
  const healthy = (r) => r.status === 200 && field(r, "status") === "healthy";
  const gateway = http.get(`${BASE_URL}/health`, { tags: { name: "health" } });
  check(gateway, { "health: api-gateway is healthy": healthy });
  const serviceA = http.get(`${SERVICE_A_URL}/health`, { tags: { name: "health" } });
  check(serviceA, { "health: service-a is healthy": healthy });
}

export default function () {
  processRequest();
  sleep(1 + Math.random() * 2);
  if (Math.random() < 0.3) info();
  if (Math.random() < 0.2) stats();
  if (Math.random() < 0.1) health();
}

export function teardown(data) {
  console.log(`load test: started ${data.startTime}, ended ${new Date().toISOString()}`);
}

export const handleSummary = summaryHandler("load", "Load test results", {
  trends: ["http_req_duration", "http_req_duration{name:process}", "process_duration"],
  rates: ["process_success_rate"],
  counters: ["process_errors"],
});
