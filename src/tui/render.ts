/** The screen as a pure function of state: `render(state, size)` → one string per terminal row. */
import { ROLES } from "../roles.ts";
import { formatClock, formatElapsed, formatLatency, formatPercent, formatRate, NO_DATA, sparkline } from "./format.ts";
import type { Health, LabEvent, TuiState } from "./state.ts";
import { faultNames, selectedRoleName } from "./state.ts";
import { SLOW_MS } from "./tempo.ts";
import { Line, padLeft, padRight, type Style } from "./text.ts";

export interface Size {
  width: number;
  height: number;
  color: boolean;
}

/** How far back the sparklines reach. */
export const HISTORY_SECONDS = 300;

const NAME = 13;
const NUMBER = 7;
/** Columns before the sparklines: selection mark, name, rate, err%, p50, p95, p99. */
const FIXED = 2 + NAME + 5 * NUMBER + 2;

/** Cells per sparkline at this width (both sparklines are as wide); the history is read with as many points. */
export function sparkWidth(width: number): number {
  return Math.max(4, Math.floor((width - FIXED - 2) / 2));
}

export function render(state: TuiState, size: Size): string[] {
  const lines: Line[] = [statusLine(state, size.width), runningLine(state)];
  const footer = [messageLine(state), keysLine(state)];
  const room = size.height - lines.length - footer.length;
  if (state.view === "help") lines.push(...helpLines(state));
  else if (state.view === "chaos") lines.push(...chaosLines(state, room));
  else {
    const table = tableLines(state, size.width);
    lines.push(...table, ...bodyLines(state, room - table.length));
  }
  const body = lines.slice(0, Math.max(0, size.height - footer.length));
  while (body.length < size.height - footer.length) body.push(new Line());
  return [...body, ...footer].slice(0, size.height).map((l) => l.print(size.width, size.color));
}

const HEALTH: Record<Health, [string, Style]> = {
  ok: ["✓", "green"],
  starting: ["…", "yellow"],
  down: ["✗", "red"],
  unknown: ["?", "dim"],
};

/** The stack at a glance: each backend ✓/…/✗, services reporting, scrape targets up. */
function statusLine(state: TuiState, width: number): Line {
  const line = new Line().add(" o11y-lab ", "bold", "inverse").add(" ");
  const prometheus: Health = state.prometheusError ? "down" : state.snapshot ? "ok" : "unknown";
  for (const [name, health] of [
    ["prometheus", prometheus],
    ["tempo", state.health.tempo],
    ["grafana", state.health.grafana],
  ] as const) {
    const [mark, style] = HEALTH[health];
    line.add(`${name} `).add(mark, style, "bold").add(" ");
  }
  if (state.prometheusError) {
    line.add("· retrying every ").add(`${state.interval}s`);
  } else if (state.snapshot) {
    const reporting = state.snapshot.services.filter((s) => s.reporting).length;
    line.add("· ").add(`services ${reporting}/${ROLES.length}`, reporting === ROLES.length ? "green" : "yellow");
    const { up, total } = state.snapshot.targets;
    if (up !== null && total !== null) line.add(" · ").add(`targets ${up}/${total}`, up === total ? "green" : "red");
  }
  const clock = formatClock(state.now);
  return line.padTo(width - clock.length - 1).add(clock, "dim");
}

function runningLine(state: TuiState): Line {
  const line = new Line().add(" running: ", "bold");
  if (state.running.length === 0) return line.add("nothing", "dim");
  state.running.forEach((a, i) => {
    if (i > 0) line.add(" · ");
    line.add(`${a.kind} ${a.name}`, a.kind === "k6" ? "cyan" : "yellow").add(` ${formatElapsed(state.now - a.since)}`);
  });
  return line;
}

function errorStyle(percent: number | null): Style[] {
  if (percent === null || percent === 0) return [];
  return percent >= 5 ? ["red", "bold"] : ["yellow"];
}

function latencyStyle(seconds: number | null): Style[] {
  if (seconds === null) return [];
  if (seconds >= 1) return ["red", "bold"];
  return seconds * 1000 >= SLOW_MS ? ["yellow"] : [];
}

/** The last `points` values, padded with "no data" on the left: the history may be read for another width. */
function lastPoints(values: ReadonlyArray<number | null> | undefined, points: number): Array<number | null> {
  const tail = (values ?? []).slice(-points);
  return [...Array.from({ length: points - tail.length }, () => null), ...tail];
}

/** Column of `event` in a sparkline of `points` cells, or -1 when out of range. */
function eventColumn(state: TuiState, event: LabEvent, points: number): number {
  const history = state.history;
  if (!history) return -1;
  const length = Object.values(history.rate)[0]?.length ?? points;
  const column = Math.round((event.at / 1000 - history.start) / history.step) - (length - points);
  // An event after the last point belongs to the newest column.
  return column >= 0 && column <= points ? Math.min(column, points - 1) : -1;
}

function markedColumns(state: TuiState, points: number): Map<number, LabEvent["kind"] | "both"> {
  const marks = new Map<number, LabEvent["kind"] | "both">();
  for (const event of state.events) {
    const column = eventColumn(state, event, points);
    if (column < 0) continue;
    const before = marks.get(column);
    marks.set(column, before && before !== event.kind ? "both" : event.kind);
  }
  return marks;
}

/** A sparkline whose marked cells stand out (color only: the marker row carries them without color). */
function addSpark(line: Line, values: ReadonlyArray<number | null>, marks: Map<number, unknown>): void {
  const cells = [...sparkline(values)];
  let run = "";
  let runMarked = false;
  cells.forEach((cell, i) => {
    const marked = marks.has(i);
    if (marked !== runMarked && run) {
      line.add(run, ...(runMarked ? (["yellow", "bold"] as Style[]) : ["cyan" as Style]));
      run = "";
    }
    runMarked = marked;
    run += cell;
  });
  line.add(run, ...(runMarked ? (["yellow", "bold"] as Style[]) : ["cyan" as Style]));
}

function tableLines(state: TuiState, width: number): Line[] {
  const points = sparkWidth(width);
  const window = `(${HISTORY_SECONDS / 60}m)`;
  const header = new Line()
    .add(`  ${padRight("SERVICE", NAME)}`, "bold")
    .add(["REQ/S", "ERR%", "P50", "P95", "P99"].map((h) => padLeft(h, NUMBER)).join(""), "bold")
    .add("  ")
    .add(padRight(`RATE ${window}`, points), "bold")
    .add("  ")
    .add(padRight(`P95 ${window}`, points), "bold");
  const marks = markedColumns(state, points);
  const selected = selectedRoleName(state);
  const rows = ROLES.map(({ name }) => {
    const numbers = state.snapshot?.services.find((s) => s.role === name);
    const isSelected = name === selected;
    const line = new Line()
      .add(isSelected ? "› " : "  ", "bold")
      .add(padRight(name, NAME), ...((isSelected ? ["bold"] : numbers?.reporting ? [] : ["dim"]) as Style[]))
      .add(padLeft(formatRate(numbers?.rate ?? null), NUMBER))
      .add(padLeft(formatPercent(numbers?.errorPercent ?? null), NUMBER), ...errorStyle(numbers?.errorPercent ?? null));
    for (const q of ["p50", "p95", "p99"] as const) {
      const value = numbers?.[q] ?? null;
      line.add(padLeft(formatLatency(value), NUMBER), ...latencyStyle(value));
    }
    line.add("  ");
    addSpark(line, lastPoints(state.history?.rate[name], points), marks);
    line.add("  ");
    addSpark(line, lastPoints(state.history?.p95[name], points), marks);
    return line;
  });
  return [header, ...rows, markerLine(points, marks), dependencyLine(state)];
}

/** ▲ where something started, ▼ where something stopped, under both sparklines. */
function markerLine(points: number, marks: Map<number, LabEvent["kind"] | "both">): Line {
  const cells = Array.from({ length: points }, (_, i) => {
    const mark = marks.get(i);
    return mark === "start" ? "▲" : mark === "stop" ? "▼" : mark === "both" ? "◆" : " ";
  }).join("");
  const line = new Line().add(padRight("  ▲ start ▼ stop", FIXED), "dim");
  if (marks.size === 0) return line;
  return line.add(cells, "yellow", "bold").add("  ").add(cells, "yellow", "bold");
}

function dependencyLine(state: TuiState): Line {
  const kafka = state.snapshot?.kafka;
  const pg = state.snapshot?.postgres;
  const lag = kafka?.lag ?? null;
  return new Line()
    .add("  kafka ", "bold")
    .add(`lag ${lag === null ? NO_DATA : lag.toFixed(0)}`, ...((lag ?? 0) > 100 ? (["yellow"] as Style[]) : []))
    .add(` · ${formatRate(kafka?.throughput ?? null)} msg/s`)
    .add("   postgres ", "bold")
    .add(`p50 ${formatLatency(pg?.p50 ?? null)} · p95 `)
    .add(formatLatency(pg?.p95 ?? null), ...latencyStyle(pg?.p95 ?? null))
    .add(` · p99 ${formatLatency(pg?.p99 ?? null)}`);
}

function bodyLines(state: TuiState, room: number): Line[] {
  if (room <= 0) return [];
  const lines: Line[] = [new Line()];
  if (state.prometheusError) {
    lines.push(
      new Line().add(`  ${state.prometheusError}.`, "red"),
      new Line().add(`  Retrying every ${state.interval}s. Start the stack with `).add("o11y-lab up", "bold"),
      new Line().add("  or point the TUI at yours with ").add("--prometheus URL", "bold").add("."),
    );
  } else if (state.showTraces) {
    lines.push(...traceLines(state, room - 1));
    // Big screens: the latest starts and stops below the traces.
    const left = room - lines.length - 1;
    if (left >= 3 && state.events.length > 0) lines.push(new Line(), ...eventLines(state, left));
  } else if (state.events.length === 0) {
    const idle = (state.snapshot?.services ?? []).every((s) => !s.rate);
    if (idle)
      lines.push(new Line().add("  No traffic yet. ", "dim").add("Press 1 to run k6 smoke, ").add("? for help."));
    lines.push(new Line().add("  Starts and stops appear here and as markers on the sparklines.", "dim"));
  } else {
    lines.push(...eventLines(state, room - 1));
  }
  return lines.slice(0, room);
}

/** The latest starts and stops, newest first. */
function eventLines(state: TuiState, room: number): Line[] {
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

function traceLines(state: TuiState, room: number): Line[] {
  const role = selectedRoleName(state);
  const title = new Line()
    .add(`  Traces of ${role}`, "bold")
    .add(` with errors or over ${SLOW_MS}ms, last 15m (↑↓ select, enter opens in Grafana)`, "dim");
  if (state.tempoError) return [title, new Line().add(`  ${state.tempoError} — retrying.`, "red")];
  if (state.traces === null) return [title, new Line().add("  searching Tempo…", "dim")];
  if (state.traces.length === 0) return [title, new Line().add("  none: every trace was fast and fine.", "dim")];
  const rows = state.traces.slice(0, Math.max(0, room - 1)).map((t, i) => {
    const isSelected = i === state.selectedTrace;
    return new Line()
      .add(isSelected ? "› " : "  ", "bold")
      .add(t.kind === "error" ? "ERROR " : "SLOW  ", t.kind === "error" ? "red" : "yellow")
      .add(`${formatClock(t.start)}  `, "dim")
      .add(padLeft(formatLatency(t.durationMs / 1000), NUMBER))
      .add("  ")
      .add(padRight(`${t.rootService} ${t.rootName}`, 40), ...((isSelected ? ["bold"] : []) as Style[]))
      .add(` ${t.traceId}`, "dim");
  });
  return [title, ...rows];
}

function helpLines(state: TuiState): Line[] {
  const keys: Array<[string, string]> = [
    [`1-${state.k6Scenarios.length}`, `start k6: ${state.k6Scenarios.map((name, i) => `${i + 1} ${name}`).join(", ")}`],
    ["c", "chaos menu: pick a scenario; a = app-level faults instead of Docker"],
    ["s", "stop all chaos (and clear every fault flag)"],
    ["f", "toggle a latency fault on the selected service (+800ms)"],
    ["e", "toggle an error fault on the selected service (50% answer 500)"],
    ["↑↓ j k", "select a service (or a trace in the trace list)"],
    ["t", "toggle the slow/error trace list of the selected service"],
    ["enter o", "open the selected trace, or the service's dashboard, in Grafana"],
    ["", "(no browser: shows the link, copies it if the terminal allows)"],
    ["d", "open the overview dashboard in Grafana"],
    ["?", "this help"],
    ["q ctrl-c", "quit"],
  ];
  return [
    new Line(),
    new Line().add("  Keys", "bold").add("  (any key closes this help)", "dim"),
    ...keys.map(([key, what]) => new Line().add(`  ${padRight(key, 10)}`, "bold", "cyan").add(what)),
    new Line(),
    new Line().add("  Rates over 1m · latency from http.server.request.duration · ▲ start ▼ stop", "dim"),
  ];
}

function chaosLines(state: TuiState, room: number): Line[] {
  const head = [
    new Line(),
    new Line()
      .add("  Chaos", "bold")
      .add(" via ")
      .add(state.chaosApp ? "app-level fault flags" : "Docker (Pumba)", "bold", "yellow")
      .add("  ↑↓ select · enter start · a toggle app-level · esc close", "dim"),
  ];
  const visible = Math.max(1, room - head.length);
  const first = Math.max(0, Math.min(state.chaosSelected - Math.floor(visible / 2), state.chaos.length - visible));
  const items = state.chaos.slice(first, first + visible).map((item, i) => {
    const isSelected = first + i === state.chaosSelected;
    return new Line()
      .add(isSelected ? "› " : "  ", "bold")
      .add(padRight(item.name, 24), ...((isSelected ? ["bold", "inverse"] : ["bold"]) as Style[]))
      .add(` ${item.summary}`);
  });
  if (items.length === 0) items.push(new Line().add("  no chaos scenarios available", "dim"));
  return [...head, ...items];
}

function messageLine(state: TuiState): Line {
  const faults = Object.entries(state.faults).flatMap(([role, f]) => faultNames(role, f));
  const line = new Line();
  if (state.message) return line.add(` ${state.message}`, "bold");
  if (faults.length > 0) return line.add(" fault flags: ", "yellow").add(faults.join(", "));
  return line;
}

function keysLine(state: TuiState): Line {
  const keys =
    state.view === "main"
      ? [
          [`1-${state.k6Scenarios.length}`, "k6"],
          ["c", "chaos"],
          ["s", "stop"],
          ["f/e", "fault"],
          ["t", "traces"],
          ["o", "grafana"],
          ["?", "help"],
          ["q", "quit"],
        ]
      : [["esc", "back"]];
  const line = new Line();
  for (const [key, what] of keys) line.add(` ${key}`, "bold", "inverse").add(` ${what} `);
  return line;
}
