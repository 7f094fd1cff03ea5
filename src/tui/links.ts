/** Grafana URLs the TUI opens: a trace in Explore, the dashboards. Uids match the stack's provisioning. */

export const TEMPO_DATASOURCE_UID = "tempo";
export const OVERVIEW_DASHBOARD_UID = "o11y-lab-overview";
export const SERVICE_DASHBOARD_UID = "o11y-lab-service";

function base(grafanaUrl: string): string {
  return grafanaUrl.replace(/\/$/, "");
}

/** Grafana Explore on Tempo with the trace open. */
export function traceUrl(grafanaUrl: string, traceId: string): string {
  const panes = {
    a: {
      datasource: TEMPO_DATASOURCE_UID,
      queries: [
        { refId: "A", datasource: { type: "tempo", uid: TEMPO_DATASOURCE_UID }, queryType: "traceql", query: traceId },
      ],
      range: { from: "now-1h", to: "now" },
    },
  };
  return `${base(grafanaUrl)}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}

/** The per-service dashboard for `role`, or the overview when no role is given. */
export function dashboardUrl(grafanaUrl: string, role?: string): string {
  if (!role) return `${base(grafanaUrl)}/d/${OVERVIEW_DASHBOARD_UID}`;
  return `${base(grafanaUrl)}/d/${SERVICE_DASHBOARD_UID}?var-service=${encodeURIComponent(role)}`;
}

/**
 * A short `/goto/<uid>` link for `url` from Grafana's short-URL API (anonymous Admin in the stack), so that a link
 * fits on one terminal line; undefined when Grafana will not make one.
 */
export async function shortUrl(grafanaUrl: string, url: string): Promise<string | undefined> {
  const root = `${base(grafanaUrl)}/`;
  if (!url.startsWith(root)) return undefined;
  try {
    const response = await fetch(`${root}api/short-urls`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: url.slice(root.length) }),
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) return undefined;
    return ((await response.json()) as { url?: string }).url;
  } catch {
    return undefined;
  }
}
