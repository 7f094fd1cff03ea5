/** Slow and failing traces of one service, from Tempo's search API (TraceQL, `GET /api/search?q=…`). */
import { reason } from "./prometheus.ts";

export interface TraceRow {
  traceId: string;
  rootService: string;
  rootName: string;
  /** unix milliseconds */
  start: number;
  durationMs: number;
  kind: "error" | "slow";
}

/** A trace is "slow" from this duration on. */
export const SLOW_MS = 500;

interface SearchAnswer {
  traces?: Array<{
    traceID: string;
    rootServiceName?: string;
    rootTraceName?: string;
    startTimeUnixNano?: string;
    durationMs?: number;
  }>;
}

/** The TraceQL behind each list: spans of the service that failed, or any span of it in a slow trace. */
export function traceQueries(role: string): Record<TraceRow["kind"], string> {
  const service = `resource.service.name = "${role}"`;
  return {
    error: `{ ${service} && status = error }`,
    slow: `{ ${service} && traceDuration >= ${SLOW_MS}ms }`,
  };
}

/** Latest error and slow traces of `role` over the last `sinceSeconds`, newest first, errors before slow ones. */
export async function searchTraces(
  tempoUrl: string,
  role: string,
  options: { sinceSeconds?: number; limit?: number; request?: typeof fetch } = {},
): Promise<TraceRow[]> {
  const { sinceSeconds = 900, limit = 10, request = fetch } = options;
  const end = Math.ceil(Date.now() / 1000);
  const queries = traceQueries(role);
  const [errors, slow] = await Promise.all(
    (["error", "slow"] as const).map(async (kind) => {
      const params = new URLSearchParams({
        q: queries[kind],
        start: String(end - sinceSeconds),
        end: String(end),
        limit: String(limit),
      });
      const url = `${tempoUrl.replace(/\/$/, "")}/api/search?${params}`;
      let response: Response;
      try {
        response = await request(url, { signal: AbortSignal.timeout(3000) });
      } catch (error) {
        throw new Error(`Tempo is unreachable at ${tempoUrl} (${reason(error)})`);
      }
      if (!response.ok) throw new Error(`Tempo search answered ${response.status}: ${(await response.text()).trim()}`);
      const answer = (await response.json()) as SearchAnswer;
      return (answer.traces ?? []).map(
        (t): TraceRow => ({
          traceId: t.traceID,
          rootService: t.rootServiceName ?? "?",
          rootName: t.rootTraceName ?? "?",
          start: Number(BigInt(t.startTimeUnixNano ?? "0") / 1_000_000n),
          durationMs: t.durationMs ?? 0,
          kind,
        }),
      );
    }),
  );
  const seen = new Set<string>();
  const byNewest = (a: TraceRow, b: TraceRow) => b.start - a.start;
  return [...(errors ?? []).sort(byNewest), ...(slow ?? []).sort(byNewest)].filter(
    (t) => !seen.has(t.traceId) && seen.add(t.traceId),
  );
}
