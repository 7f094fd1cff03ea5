/** The trace view: a waterfall of spans (tree, service, duration, bar on the trace's timeline) and a detail pane. */
import { formatLatency } from "./format.ts";
import { scrolled } from "./panes.ts";
import type { OpenTrace } from "./state.ts";
import { Line, padLeft, padRight, type Style } from "./text.ts";
import { hasChildren, type Trace, type TraceSpan, visibleSpans } from "./trace.ts";

const SERVICE = 12;
const DURATION = 8;

function bar(trace: Trace, span: TraceSpan, cells: number): { before: number; length: number } {
  const start = Math.min(...trace.spans.map((s) => s.start));
  const end = Math.max(...trace.spans.map((s) => s.start + s.durationMs));
  const total = Math.max(end - start, 0.001);
  const before = Math.min(cells - 1, Math.floor(((span.start - start) / total) * cells));
  const length = Math.max(1, Math.round((span.durationMs / total) * cells));
  return { before, length: Math.min(length, cells - before) };
}

function spanLine(trace: Trace, open: OpenTrace, span: TraceSpan, selected: boolean, width: number): Line {
  const depth = trace.depth[span.spanId] ?? 0;
  const nameWidth = Math.max(16, Math.floor(width * 0.34));
  const barCells = Math.max(4, width - 2 - nameWidth - SERVICE - DURATION - 4);
  const fold = hasChildren(trace, span.spanId) ? (open.folded.includes(span.spanId) ? "▸ " : "▾ ") : "  ";
  const error = span.status === "error";
  const { before, length } = bar(trace, span, barCells);
  const name: Style[] = selected ? ["bold", "inverse"] : error ? ["red"] : [];
  return new Line()
    .add(selected ? "› " : "  ", "bold")
    .add(padRight(`${" ".repeat(Math.min(depth, 8))}${fold}${span.name}`, nameWidth), ...name)
    .add(` ${padRight(span.service, SERVICE - 1)}`, "cyan")
    .add(padLeft(formatLatency(span.durationMs / 1000), DURATION - 1))
    .add(error ? " ✗ " : "   ", "red", "bold")
    .add(" ".repeat(before))
    .add("▇".repeat(length), error ? "red" : "yellow");
}

function detailLines(span: TraceSpan, room: number): Line[] {
  const status = span.status === "error" ? `ERROR${span.statusMessage ? `: ${span.statusMessage}` : ""}` : span.status;
  const lines = [
    new Line()
      .add(`  ${span.name}`, "bold")
      .add(` · ${span.service} · ${span.kind} · ${formatLatency(span.durationMs / 1000)} · `)
      .add(status, ...((span.status === "error" ? ["red", "bold"] : ["dim"]) as Style[]))
      .add(` · span ${span.spanId}`, "dim"),
  ];
  for (const [key, value] of span.attributes) lines.push(new Line().add(`    ${key}`, "cyan").add(` = ${value}`));
  for (const event of span.events) {
    const attrs = event.attributes.map(([k, v]) => `${k}=${v}`).join(" ");
    lines.push(
      new Line()
        .add(`    +${formatLatency(event.offsetMs / 1000)} `, "dim")
        .add(`event ${event.name}`, "yellow")
        .add(attrs ? ` ${attrs}` : ""),
    );
  }
  if (lines.length > room && room > 0) {
    const hidden = lines.length - room + 1;
    return [...lines.slice(0, room - 1), new Line().add(`    … ${hidden} more`, "dim")];
  }
  return lines;
}

export function waterfallLines(open: OpenTrace | null, width: number, room: number): Line[] {
  if (!open) return [];
  const title = new Line().add(`  Trace ${open.id}`, "bold");
  const keys = new Line().add("  ↑↓ span · ←→ fold · l logs of trace · L of span · o Grafana · esc back", "dim");
  if (open.error) return [title, keys, new Line(), new Line().add(`  ${open.error} — retrying.`, "red")];
  const trace = open.trace;
  if (!trace) return [title, keys, new Line(), new Line().add("  asking Tempo…", "dim")];
  const root = trace.spans[0];
  const errors = trace.spans.filter((s) => s.status === "error").length;
  title
    .add(` · ${trace.spans.length} spans · ${root ? formatLatency(root.durationMs / 1000) : ""}`)
    .add(errors ? ` · ${errors} failed` : "", "red");
  const spans = visibleSpans(trace, open.folded);
  const span = spans[open.selected];
  const detailRoom = Math.max(3, Math.floor((room - 2) * 0.4));
  const listRoom = Math.max(1, room - 2 - detailRoom - 1);
  const { first, shown } = scrolled(spans, open.selected, listRoom);
  const rows = shown.map((s, i) => spanLine(trace, open, s, first + i === open.selected, width));
  const rule = new Line().add(`  ${"─".repeat(Math.max(0, width - 4))}`, "dim");
  return [title, keys, ...rows, rule, ...(span ? detailLines(span, detailRoom) : [])].slice(0, room);
}
