// Where the tests send traffic and write their report. `o11y-lab k6` sets these with `-e`; the defaults suit
// a plain `k6 run` on the host against the lab's published ports.

export const BASE_URL = __ENV.BASE_URL || "http://localhost:8080";
export const SERVICE_A_URL = __ENV.SERVICE_A_URL || "http://localhost:8001";

/** The JSON summary's path; without REPORT_FILE it lands next to where k6 runs. */
export function reportFile(name) {
  return __ENV.REPORT_FILE || `${name}-summary.json`;
}
