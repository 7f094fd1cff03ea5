import { defineCommand } from "citty";
import { LabError } from "../errors.ts";

/** Short enough for a compose healthcheck (timeout 3 s) to get our answer rather than kill us. */
const TIMEOUT_MS = 2000;

export default defineCommand({
  meta: {
    name: "probe",
    description: "GET a URL; exit 0 on 2xx, else 1 (the containers' healthcheck: no curl in the image)",
  },
  args: {
    url: { type: "positional", required: true, description: "e.g. http://127.0.0.1:8080/ready" },
  },
  async run({ args }) {
    const outcome = await probe(args.url);
    if (outcome !== "ok") throw new LabError(`probe ${args.url}: ${outcome}`);
  },
});

/** "ok" on a 2xx answer within the timeout, else what happened instead. */
export async function probe(url: string, timeoutMs = TIMEOUT_MS): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok ? "ok" : `answered ${response.status}`;
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
    const code = (error as { code?: unknown }).code;
    if (code === "ConnectionRefused" || code === "ECONNREFUSED") return "connection refused";
    return error instanceof Error ? error.message : String(error);
  }
}
