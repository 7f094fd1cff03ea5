/** Log queries against Loki's HTTP API (`GET /loki/api/v1/query_range`), for the checks. */
import { reason } from "../tui/prometheus.ts";
import { Unreachable } from "./check.ts";

/** One log line Loki returned: its stream labels, time and text. */
export interface LogLine {
  readonly labels: Record<string, string>;
  /** unix nanoseconds */
  readonly time: bigint;
  readonly line: string;
}

interface StreamsAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
}

export class Loki {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  /** Lines a LogQL log query selects over the last `sinceSeconds`, newest first. */
  async lines(logql: string, sinceSeconds = 900, limit = 100): Promise<LogLine[]> {
    const end = BigInt(Date.now()) * 1_000_000n;
    const params = new URLSearchParams({
      query: logql,
      start: String(end - BigInt(sinceSeconds) * 1_000_000_000n),
      end: String(end),
      limit: String(limit),
      direction: "backward",
    });
    const target = `${this.url.replace(/\/$/, "")}/loki/api/v1/query_range?${params}`;
    let response: Response;
    try {
      response = await fetch(target, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new Unreachable(`Loki is unreachable at ${this.url} (${reason(error)})`);
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`Loki refused ${logql}: ${response.status} ${text.trim().slice(0, 200)}`);
    let answer: StreamsAnswer;
    try {
      answer = JSON.parse(text) as StreamsAnswer;
    } catch {
      throw new Unreachable(`${this.url} answered ${response.status} without Loki JSON`);
    }
    if (answer.data?.resultType !== "streams") throw new Error(`Loki answered no streams for ${logql}`);
    return (answer.data.result ?? [])
      .flatMap((s) => s.values.map(([t, line]) => ({ labels: s.stream, time: BigInt(t), line })))
      .sort((a, b) => (b.time > a.time ? 1 : b.time < a.time ? -1 : 0));
  }
}
