/** The report as Markdown and as one self-contained HTML page whose charts are inline SVG. */

import { roleOfJob } from "../queries.ts";
import { ROLE_NAMES } from "../roles.ts";
import type { Series } from "../tui/prometheus.ts";
import type { FaultRun, Red, ReportData } from "./report.ts";

const time = (unix: number) =>
  new Date(unix * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
const num = (v: number | null, digits: number, unit: string) => (v === null ? "–" : `${v.toFixed(digits)}${unit}`);
/** How each RED number prints, in both pages: the tests compare these strings with direct PromQL. */
export const formatRed = {
  rate: (r: Red) => num(r.rate, 2, " req/s"),
  errors: (r: Red) => num(r.errors, 1, " %"),
  p95: (r: Red) => num(r.p95 === null ? null : r.p95 * 1000, 0, " ms"),
};

function k6Lines(data: ReportData): string[] {
  if (data.k6.length === 0) return ["No k6 run in this range (o11y-lab k6 smoke)."];
  return data.k6.map((k) => {
    const held = k.thresholds.filter((t) => t.ok).length;
    const crossed = k.thresholds.filter((t) => !t.ok).map((t) => t.name);
    const checks = k.checks ? `; checks ${k.checks.passes} passed, ${k.checks.fails} failed` : "";
    const verdict = crossed.length === 0 ? "PASS" : `FAIL (${crossed.join(", ")})`;
    return `${k.file}: ${verdict}: ${held} of ${k.thresholds.length} thresholds held${checks}`;
  });
}

function redTable(fault: FaultRun): string[] {
  const head = ["service", ...fault.phases.flatMap((p) => [`${p.name} rate`, `${p.name} 5xx`, `${p.name} p95`])];
  const rows = ROLE_NAMES.map((role) => [
    role,
    ...fault.phases.flatMap((p) => {
      const r = p.red[role] ?? { rate: null, errors: null, p95: null };
      return [formatRed.rate(r), formatRed.errors(r), formatRed.p95(r)];
    }),
  ]);
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

function faultLines(f: FaultRun): string[] {
  return [
    `### ${f.scenario}${f.app ? " (app-level)" : ""}`,
    "",
    `- started ${time(f.start)}${f.stop ? `, stopped ${time(f.stop)}` : ", still running"}`,
    ...(f.hypothesis ? [`- hypothesis: ${f.hypothesis}`] : []),
    `- verdict: ${f.verdict ?? "not watched (chaos <scenario> --watch)"}`,
    ...(f.recovery ? [`- recovery: ${f.recovery}`] : []),
    `- phases: ${f.phases.map((p) => `${p.name} ${time(p.start)} – ${time(p.end)}`).join("; ")}`,
    "",
    ...redTable(f),
    "",
  ];
}

export function markdown(data: ReportData): string {
  return [
    "# o11y-lab run report",
    "",
    `${time(data.range.start)} – ${time(data.range.end)}`,
    "",
    "## Load tests (k6)",
    "",
    ...k6Lines(data).map((l) => `- ${l}`),
    "",
    "## Chaos",
    "",
    ...(data.faults.length === 0 ? ["No chaos scenario in this range.", ""] : data.faults.flatMap(faultLines)),
    "## Slowest and failing traces",
    "",
    ...(data.traces.length === 0
      ? ["None in this range."]
      : data.traces.map(
          (t) => `- ${t.kind} ${t.durationMs} ms ${t.rootService} ${t.rootName}: [${t.traceId}](${t.url})`,
        )),
    "",
  ].join("\n");
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
const htmlText = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

/** One line per role over the range, with the chaos runs shaded. */
function chart(title: string, series: Series[], data: ReportData, scale: number, unit: string): string {
  const [w, h, pad] = [900, 220, 64];
  const { start, end } = data.range;
  const values = series.flatMap((s) => s.points.map(([, v]) => v * scale)).filter(Number.isFinite);
  const top = Math.max(1e-9, ...values) * 1.1;
  const x = (t: number) => pad + ((t - start) / Math.max(1, end - start)) * (w - 2 * pad);
  const y = (v: number) => h - pad - (v / top) * (h - 2 * pad);
  const shades = data.faults
    .map(
      (f) =>
        `<rect x="${x(f.start)}" y="${pad}" width="${Math.max(2, x(f.stop ?? end) - x(f.start))}" height="${h - 2 * pad}" fill="#fdd" />`,
    )
    .join("");
  const lines = series
    .map((s) => {
      const role = roleOfJob(s.labels.job) ?? s.labels.job ?? "?";
      const color = COLORS[ROLE_NAMES.indexOf(role as (typeof ROLE_NAMES)[number])] ?? "#555";
      const points = s.points
        .filter(([, v]) => Number.isFinite(v))
        .map(([t, v]) => `${x(t).toFixed(1)},${y(v * scale).toFixed(1)}`);
      return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(" ")}"><title>${htmlText(role)}</title></polyline>`;
    })
    .join("");
  const legend = ROLE_NAMES.map((r, i) => `<tspan fill="${COLORS[i]}">■ ${r} </tspan>`).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img">
<text x="${pad}" y="20" font-weight="bold">${htmlText(title)}</text><text x="${w - pad}" y="42" text-anchor="end" font-size="12">${legend}</text>
${shades}<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#999"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#999"/>
<text x="${pad - 4}" y="${pad + 4}" text-anchor="end" font-size="11">${(top).toFixed(top < 10 ? 2 : 0)} ${unit}</text>
<text x="${pad}" y="${h - 22}" font-size="11">${time(start)}</text><text x="${w - pad}" y="${h - 22}" text-anchor="end" font-size="11">${time(end)}</text>
${lines}</svg>`;
}

/** A page that needs nothing else: styles inline, charts as SVG, links to Grafana. */
export function html(data: ReportData): string {
  const md = markdown(data);
  const body = md
    .split("\n")
    .filter((line) => !line.startsWith("|---"))
    .map((line) => {
      if (line.startsWith("# ")) return `<h1>${htmlText(line.slice(2))}</h1>`;
      if (line.startsWith("## ")) return `<h2>${htmlText(line.slice(3))}</h2>`;
      if (line.startsWith("### ")) return `<h3>${htmlText(line.slice(4))}</h3>`;
      if (line.startsWith("| ")) {
        const cells = line
          .slice(2, -2)
          .split(" | ")
          .map((c) => `<td>${htmlText(c)}</td>`)
          .join("");
        return `<tr>${cells}</tr>`;
      }
      const link = /^- (.*): \[([0-9a-f]+)\]\((.*)\)$/.exec(line);
      if (link) return `<li>${htmlText(link[1] ?? "")}: <a href="${htmlText(link[3] ?? "")}">${link[2]}</a></li>`;
      if (line.startsWith("- ")) return `<li>${htmlText(line.slice(2))}</li>`;
      return line ? `<p>${htmlText(line)}</p>` : "";
    })
    .join("\n")
    .replace(/((?:<tr>.*<\/tr>\n?)+)/g, "<table>$1</table>");
  const charts = [
    chart("p95 latency per service (chaos runs shaded)", data.charts.p95, data, 1000, "ms"),
    chart("requests per second per service", data.charts.rate, data, 1, "req/s"),
  ].join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>o11y-lab run report</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fff}table{border-collapse:collapse;font-size:13px}td{border:1px solid #ccc;padding:3px 6px}tr:first-child td{font-weight:bold;background:#f3f3f3}svg{display:block;margin:12px 0;background:#fafafa;border:1px solid #eee}</style>
</head><body>
${body.replace("</p>", `</p>\n${charts}`)}
</body></html>
`;
}
