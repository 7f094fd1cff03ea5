/** Trace search and a trace by id from Tempo (`GET /api/search`, `GET /api/traces/<id>`), for the checks. */
import { reason } from "../tui/prometheus.ts";
import { parseTrace, type TraceAnswer, type TraceSpan } from "../tui/trace.ts";
import { Unreachable } from "./check.ts";

export class Tempo {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  /** Ids of the traces a TraceQL query finds over the last `sinceSeconds`, newest first (`GET /api/search`). */
  async search(traceql: string, sinceSeconds = 900, limit = 20): Promise<string[]> {
    const end = Math.ceil(Date.now() / 1000);
    const params = new URLSearchParams({
      q: traceql,
      start: String(end - sinceSeconds),
      end: String(end),
      limit: String(limit),
    });
    const answer = (await this.get(`/api/search?${params}`, `search ${traceql}`)) as
      | { traces?: Array<{ traceID: string; startTimeUnixNano?: string }> }
      | undefined;
    return (answer?.traces ?? [])
      .sort((a, b) => Number(BigInt(b.startTimeUnixNano ?? "0") - BigInt(a.startTimeUnixNano ?? "0")))
      .map((t) => t.traceID);
  }

  /** GET on Tempo: the JSON, undefined on 404; unreachable and refusals as one line. */
  private async get(path: string, what: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.url.replace(/\/$/, "")}${path}`, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new Unreachable(`Tempo is unreachable at ${this.url} (${reason(error)})`);
    }
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new Error(`Tempo answered ${response.status} to ${what}: ${(await response.text()).trim().slice(0, 200)}`);
    return response.json();
  }

  /** The trace's spans (parsed as the TUI's waterfall parses them), or undefined when Tempo has no such trace (yet). */
  async trace(traceId: string): Promise<TraceSpan[] | undefined> {
    const answer = (await this.get(`/api/traces/${encodeURIComponent(traceId)}`, `trace ${traceId}`)) as
      | TraceAnswer
      | undefined;
    return answer ? parseTrace(traceId, answer).spans : undefined;
  }
}
