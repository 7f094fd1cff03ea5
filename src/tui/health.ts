/** Readiness probes of the stack's other backends, for the status line. */
import type { Health } from "./state.ts";

/** GET `url`: 2xx is ok, any other answer is starting (Tempo says 503 for its first seconds), none is down. */
export async function probe(url: string): Promise<Health> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok ? "ok" : "starting";
  } catch {
    return "down";
  }
}

export async function probeStack(
  tempoUrl: string,
  lokiUrl: string,
  grafanaUrl: string,
): Promise<{ tempo: Health; loki: Health; grafana: Health }> {
  const base = (url: string) => url.replace(/\/$/, "");
  const [tempo, loki, grafana] = await Promise.all([
    probe(`${base(tempoUrl)}/ready`),
    probe(`${base(lokiUrl)}/ready`),
    probe(`${base(grafanaUrl)}/api/health`),
  ]);
  return { tempo, loki, grafana };
}
