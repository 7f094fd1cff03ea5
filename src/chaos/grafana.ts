/** Grafana as the stack publishes it: anonymous Admin on 127.0.0.1, so annotations need no login. */
export const GRAFANA_URL = "http://127.0.0.1:3000";

/**
 * Marks a moment on every dashboard (they show annotations tagged "o11y-lab"): a k6 run or a chaos scenario
 * starting or stopping. Best effort: a lab without Grafana still runs load and chaos, so this never throws.
 */
export async function annotate(
  text: string,
  tags: readonly string[],
  options: { fetch?: typeof fetch; url?: string; now?: () => number } = {},
): Promise<boolean> {
  const { fetch: post = fetch, url = GRAFANA_URL, now = Date.now } = options;
  try {
    const response = await post(`${url}/api/annotations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ time: now(), tags: ["o11y-lab", ...tags], text }),
      signal: AbortSignal.timeout(2000),
    });
    return response.ok;
  } catch {
    return false;
  }
}
