import http from "k6/http";

/** A field of a JSON body, or undefined when the body is not JSON (an error page, a timeout, a refused call). */
export function field(res, path) {
  try {
    return res.json(path);
  } catch {
    return undefined;
  }
}

/** setup(): stop before the test starts when the gateway is not answering, with the command that fixes it. */
export function requireHealthy(url) {
  const res = http.get(url, { tags: { name: "health" } });
  if (res.status !== 200) {
    throw new Error(`${url} answered ${res.status || res.error}: is the lab up? Start it with: o11y-lab up`);
  }
}

// Per VU (each VU has its own copy of this module). Under chaos every request can fail, and logging each one
// drowns the progress output; the failures are still counted by the checks and metrics.
const MAX_LOGGED = 5;
let logged = 0;

/** Logs a failed request, at most MAX_LOGGED times per VU. */
export function logFailure(what, res) {
  if (logged >= MAX_LOGGED) return;
  logged += 1;
  const reason = res.error ? ` (${res.error})` : "";
  const more = logged === MAX_LOGGED ? "; further failures of this VU are counted, not logged" : "";
  console.error(`${what} failed: status ${res.status}${reason}${more}`);
}
