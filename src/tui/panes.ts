/** What shows under the table (starts and stops, slow/error traces, logs) and the drill-down of one service. */
import { formatClock, formatLatency, formatPercent, formatRate, NO_DATA } from "./format.ts";
import { logQuery } from "./loki.ts";
import type { DrillRow } from "./snapshot.ts";
import { selectedRoleName, shownLogs, shownTraces, type TuiState } from "./state.ts";
import { errorStyle, latencyStyle, NUMBER, windowLabel } from "./table.ts";
import { SLOW_MS } from "./tempo.ts";
import { Line, padLeft, padRight, type Style } from "./text.ts";

/** The rows of a list that fit `room`, scrolled so that `selected` is among them. */
export function scrolled<T>(items: readonly T[], selected: number, room: number): { first: number; shown: T[] } {
  const first = Math.max(0, Math.min(selected - Math.floor(room / 2), items.length - room));
  return { first, shown: items.slice(first, first + Math.max(0, room)) };
}

/** The latest starts and stops, newest first. */
export function eventLines(state: TuiState, room: number): Line[] {
  if (state.events.length === 0) {
    const idle = (state.snapshot?.services ?? []).every((s) => !s.rate);
    const lines = idle
      ? [new Line().add("  No traffic yet. ", "dim").add("Press 1 to run k6 smoke, ").add("? for help.")]
      : [];
    return [...lines, new Line().add("  Starts and stops appear here and as markers on the charts.", "dim")];
  }
  return state.events
    .slice(-room)
    .reverse()
    .map((event) =>
      new Line()
        .add(`  ${formatClock(event.at)} `, "dim")
        .add(event.kind === "start" ? "▲ started " : "▼ stopped ", "yellow")
        .add(event.label),
    );
}

export function traceLines(state: TuiState, room: number): Line[] {
  const role = selectedRoleName(state);
  const title = new Line()
    .add(`  Traces of ${role}`, "bold")
    .add(` with errors or over ${SLOW_MS}ms, last 15m · enter waterfall · o Grafana`, "dim");
  const { error } = state.sources.tempo;
  if (error) return [title, new Line().add(`  ${error} — retrying.`, "red")];
  if (state.traces === null) return [title, new Line().add("  searching Tempo…", "dim")];
  const traces = shownTraces(state);
  if (traces.length === 0) return [title, new Line().add("  none: every trace was fast and fine.", "dim")];
  const { first, shown } = scrolled(traces, state.selectedTrace, room - 1);
  const rows = shown.map((t, i) => {
    const isSelected = first + i === state.selectedTrace;
    return new Line()
      .add(isSelected ? "› " : "  ", "bold")
      .add(t.kind === "error" ? "ERROR " : "SLOW  ", t.kind === "error" ? "red" : "yellow")
      .add(`${formatClock(t.start)} `, "dim")
      .add(padLeft(formatLatency(t.durationMs / 1000), NUMBER))
      .add("  ")
      .add(padRight(`${t.rootService} ${t.rootName}`, 36), ...((isSelected ? ["bold"] : []) as Style[]))
      .add(` ${t.traceId}`, "dim");
  });
  return [title, ...rows];
}

const SEVERITY_STYLE: Record<string, Style[]> = { ERROR: ["red", "bold"], FATAL: ["red", "bold"], WARN: ["yellow"] };

function logTitle(state: TuiState): Line {
  const { logScope } = state;
  const who = logScope.traceId
    ? `trace ${logScope.traceId.slice(0, 12)}…${logScope.spanId ? ` span ${logScope.spanId}` : ""}`
    : logScope.all
      ? "every service"
      : selectedRoleName(state);
  return new Line()
    .add(`  Logs of ${who}${logScope.problems ? " (warnings and errors)" : ""}`, "bold")
    .add(" · enter trace · a all/one · w warn+ · esc close", "dim");
}

export function logLines(state: TuiState, room: number): Line[] {
  const title = logTitle(state);
  const { error } = state.sources.loki;
  if (error) return [title, new Line().add(`  ${error} — retrying.`, "red")];
  if (state.logs === null) return [title, new Line().add("  asking Loki…", "dim")];
  const logs = shownLogs(state);
  if (logs.length === 0) return [title, new Line().add(`  no lines for ${logQuery(lokiFilter(state))}`, "dim")];
  const { first, shown } = scrolled(logs, state.selectedLog, room - 1);
  const rows = shown.map((l, i) => {
    const isSelected = first + i === state.selectedLog;
    const severity = l.severity.toUpperCase();
    return new Line()
      .add(isSelected ? "› " : "  ", "bold")
      .add(`${formatClock(l.time)} `, "dim")
      .add(padRight(severity || "-", 6), ...(SEVERITY_STYLE[severity] ?? ["dim"]))
      .add(padRight(l.service, 12), "cyan")
      .add(l.traceId ? "⌁ " : "  ", "dim")
      .add(l.line, ...((isSelected ? ["bold"] : []) as Style[]));
  });
  return [title, ...rows];
}

/** The Loki filter of the log pane, as the loop queries it. */
export function lokiFilter(state: TuiState) {
  const { logScope } = state;
  return {
    service: logScope.all || logScope.traceId ? null : selectedRoleName(state),
    problems: logScope.problems,
    traceId: logScope.traceId,
    spanId: logScope.spanId,
  };
}

function drillRow(row: DrillRow): Line {
  return new Line()
    .add(`  ${padRight(row.kind === "route" ? row.name : `${row.kind} ${row.name}`, 34)}`)
    .add(padLeft(formatRate(row.rate), NUMBER))
    .add(padLeft(formatPercent(row.errorPercent), NUMBER), ...errorStyle(row.errorPercent))
    .add(padLeft(formatLatency(row.p95), NUMBER), ...latencyStyle(row.p95));
}

/** Enter on a service: its routes and its dependencies (client calls by peer), each with its RED. */
export function drillLines(state: TuiState, room: number): Line[] {
  const role = state.selected;
  const lines = [
    new Line()
      .add(`  ${role}`, "bold")
      .add(` · rates over 1m · x slowest trace · t traces · l logs · o Grafana · esc back`, "dim"),
  ];
  const drill = state.drill?.role === role ? state.drill : null;
  if (state.sources.prometheus.error) return [...lines, new Line().add(`  ${state.sources.prometheus.error}`, "red")];
  if (!drill) return [...lines, new Line().add("  asking Prometheus…", "dim")];
  const head = (title: string) =>
    new Line()
      .add(`  ${padRight(title, 34)}`, "bold")
      .add(["RATE/s", "ERR%", "P95"].map((h) => padLeft(h, NUMBER)).join(""), "bold");
  const section = (title: string, rows: DrillRow[], empty: string) => [
    new Line(),
    head(title),
    ...(rows.length > 0 ? rows.map(drillRow) : [new Line().add(`  ${empty}`, "dim")]),
  ];
  lines.push(
    ...section("ROUTES (served)", drill.routes, `${NO_DATA} no HTTP traffic served`),
    ...section("CALLS (client spans by peer)", drill.dependencies, `${NO_DATA} calls nothing`),
  );
  return lines.slice(0, room);
}

export function helpLines(state: TuiState): Line[] {
  const keys: Array<[string, string]> = [
    [`1-${state.k6Scenarios.length}`, `start k6: ${state.k6Scenarios.map((name, i) => `${i + 1} ${name}`).join(", ")}`],
    ["c  s", "chaos menu (a = app-level faults) · stop all chaos and fault flags"],
    ["f  e", "toggle a latency (+800ms) / error (50% 500) fault on the selected service"],
    ["↑↓ enter", "select a service · its routes and dependencies"],
    ["x", "open the slowest recent request of the selected service (exemplar)"],
    ["t  l", "slow/error traces · logs (a all services, w warnings+, enter its trace)"],
    ["trace", "↑↓ span · ←→ fold · l/L logs of trace/span · o Grafana"],
    ["/  > <", "filter rows · sort by the next / previous column"],
    ["p  + -", "pause · widen / narrow the chart window"],
    ["o  d", "open the service (or trace) / the overview in Grafana"],
    ["q", "quit (esc goes back)"],
  ];
  return [
    new Line(),
    new Line().add("  Keys", "bold").add("  (any key closes this help)", "dim"),
    ...keys.map(([key, what]) => new Line().add(`  ${padRight(key, 10)}`, "bold", "cyan").add(what)),
    new Line(),
    new Line().add(
      `  Rates over 1m · charts over ${windowLabel(state.window)}, one scale per column · ▲ start ▼ stop`,
      "dim",
    ),
  ];
}

export function chaosLines(state: TuiState, room: number): Line[] {
  const head = [
    new Line(),
    new Line()
      .add("  Chaos", "bold")
      .add(" via ")
      .add(state.chaosApp ? "app-level fault flags" : "Docker (Pumba)", "bold", "yellow")
      .add("  ↑↓ select · enter start · a toggle app-level · esc close", "dim"),
  ];
  const { first, shown } = scrolled(state.chaos, state.chaosSelected, Math.max(1, room - head.length));
  const items = shown.map((item, i) => {
    const isSelected = first + i === state.chaosSelected;
    return new Line()
      .add(isSelected ? "› " : "  ", "bold")
      .add(padRight(item.name, 24), ...((isSelected ? ["bold", "inverse"] : ["bold"]) as Style[]))
      .add(` ${item.summary}`);
  });
  if (items.length === 0) items.push(new Line().add("  no chaos scenarios available", "dim"));
  return [...head, ...items];
}
