/** A small client for Prometheus' HTTP API: instant and range queries, errors as one plain sentence. */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  /** [unix seconds, value] */
  points: Array<[number, number]>;
}

/** One series' exemplars, as /api/v1/query_exemplars answers. */
export interface Exemplars {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

/** Prometheus could not be asked, or refused the question: the message is meant for the screen. */
export class PrometheusError extends Error {
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
    this.name = "PrometheusError";
  }
}

interface ApiAnswer {
  status: "success" | "error";
  error?: string;
  /** A query's result; query_exemplars answers with the list itself. */
  data?: { resultType: string; result: unknown[] } | unknown[];
}

interface RawSample {
  metric: Record<string, string>;
  value: [number, string];
}

interface RawSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export class Prometheus {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 3000,
  ) {}

  /** Evaluates `promql` at `time` (unix seconds; now when omitted). */
  async query(promql: string, time?: number): Promise<Sample[]> {
    const params: Record<string, string> = { query: promql };
    if (time !== undefined) params.time = String(time);
    const result = (await this.call("query", params)) as RawSample[];
    return result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }

  async queryRange(promql: string, start: number, end: number, step: number): Promise<Series[]> {
    const params = { query: promql, start: String(start), end: String(end), step: String(step) };
    const result = (await this.call("query_range", params)) as RawSeries[];
    return result.map((r) => ({ labels: r.metric, points: r.values.map(([t, v]) => [t, Number(v)]) }));
  }

  /** Exemplars of `promql`'s series between `start` and `end` (unix seconds): their labels, e.g. trace_id. */
  async exemplars(promql: string, start: number, end: number): Promise<Exemplars[]> {
    const params = { query: promql, start: String(start), end: String(end) };
    return (await this.call("query_exemplars", params)) as Exemplars[];
  }

  private async call(endpoint: string, params: Record<string, string>): Promise<unknown[]> {
    const url = `${this.url.replace(/\/$/, "")}/api/v1/${endpoint}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new PrometheusError(`Prometheus is unreachable at ${this.url} (${reason(error)})`, true);
    }
    let answer: ApiAnswer;
    try {
      answer = (await response.json()) as ApiAnswer;
    } catch {
      throw new PrometheusError(`${this.url} answered ${response.status} without Prometheus JSON`, true);
    }
    if (answer.status !== "success" || !answer.data) {
      throw new PrometheusError(`Prometheus refused a query: ${answer.error ?? response.status}`, false);
    }
    return Array.isArray(answer.data) ? answer.data : answer.data.result;
  }
}

/** A short reason for a failed fetch: "connection refused", "timed out after 3 s", … */
export function reason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "timed out";
    const code = (error as { code?: string }).code;
    if (code === "ConnectionRefused" || code === "ECONNREFUSED") return "connection refused";
    return code ?? error.message;
  }
  return String(error);
}
