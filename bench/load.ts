/** The bench's two kinds of traffic: open-loop at a fixed rate, and closed-loop at saturation. */

export interface LoadResult {
  requests: number;
  errors: number;
  /** Answers per second of wall clock: noisy on a shared machine. */
  rps: number;
  p50: number;
  p99: number;
}

function summarise(latencies: number[], errors: number, elapsedMs: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    rps: (latencies.length * 1000) / elapsedMs,
    p50: at(0.5),
    p99: at(0.99),
  };
}

/** One request; its latency, or undefined when it failed (no answer, or not 2xx). */
async function timed(url: string, timeoutMs: number): Promise<number | undefined> {
  const started = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);
  await response?.arrayBuffer().catch(() => undefined);
  return response?.ok ? performance.now() - started : undefined;
}

/**
 * Open loop: a request every 1/`rate` s whether or not the earlier ones were answered, as users arrive, so a slow
 * service sees its queue grow instead of the load easing off. Waits for the last answers (up to `timeoutMs`).
 */
export async function openLoop(url: string, rate: number, durationMs: number, timeoutMs = 10_000): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  const total = Math.round((rate * durationMs) / 1000);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    pending.push(
      timed(url, timeoutMs).then((ms) => {
        if (ms === undefined) errors++;
        else latencies.push(ms);
      }),
    );
  }
  await Promise.all(pending);
  return summarise(latencies, errors, performance.now() - started);
}

/** Closed loop: `concurrency` clients, each sending its next request when the last one was answered. */
export async function closedLoop(url: string, concurrency: number, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const ms = await timed(url, 30_000);
      if (ms === undefined) errors++;
      else latencies.push(ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return summarise(latencies, errors, performance.now() - started);
}
