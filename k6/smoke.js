// Smoke test: one user, one minute. Proves the whole path answers before any heavier test.
import { check, sleep } from "k6";
import http from "k6/http";
import { BASE_URL } from "./lib/config.js";
import { field } from "./lib/http.js";
import { optionsFor } from "./lib/scenarios.js";
import { summaryHandler } from "./lib/summary.js";

export const options = optionsFor("smoke");

export default function () {
  const processed = http.get(`${BASE_URL}/api/process`, { tags: { name: "process" } });
  check(processed, {
    "process: status is 200": (r) => r.status === 200,
    "process: response is a success with data": (r) =>
      field(r, "status") === "success" && field(r, "data") !== undefined,
  });
  sleep(1);

  const info = http.get(`${BASE_URL}/api/info`, { tags: { name: "info" } });
  check(info, {
    "info: status is 200": (r) => r.status === 200,
    "info: service is api-gateway": (r) => field(r, "service") === "api-gateway",
  });
  sleep(1);
}

export const handleSummary = summaryHandler("smoke", "Smoke test results", { trends: ["http_req_duration"] });
