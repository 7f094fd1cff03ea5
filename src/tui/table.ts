/** The RED table: one row per role (consumer numbers for service-c), Kafka and Postgres rows, shared-scale charts. */
import { formatLatency, formatPercent, formatRate, NO_DATA, peak, sparkline } from "./format.ts";
import { CONSUMER, type ServiceNumbers } from "./snapshot.ts";
import { type LabEvent, selectedRoleName, type TuiState, visibleRoles } from "./state.ts";
import { SLOW_MS } from "./tempo.ts";
import { Line, padLeft, padRight, type Style } from "./text.ts";

export const NAME = 14;
export const NUMBER = 7;
/** Columns before the sparklines: selection mark, name, rate, err%, p50, p95, p99. */
const FIXED = 2 + NAME + 5 * NUMBER + 2;

/** Cells per sparkline at this width (both sparklines are as wide); the history is read with as many points. */
export function sparkWidth(width: number): number {
  return Math.max(4, Math.floor((width - FIXED - 2) / 2));
}

/** "5m", "1h": a window in seconds, short. */
export function windowLabel(seconds: number): string {
  return seconds >= 3600 ? `${seconds / 3600}h` : `${seconds / 60}m`;
}

export function errorStyle(percent: number | null): Style[] {
  if (percent === null || percent === 0) return [];
  return percent >= 5 ? ["red", "bold"] : ["yellow"];
}

export function latencyStyle(seconds: number | null): Style[] {
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
function addSpark(line: Line, cells: string, marks: Map<number, unknown>): void {
  let run = "";
  let runMarked = false;
  const flush = () => line.add(run, ...(runMarked ? (["yellow", "bold"] as Style[]) : ["cyan" as Style]));
  [...cells].forEach((cell, i) => {
    const marked = marks.has(i);
    if (marked !== runMarked && run) {
      flush();
      run = "";
    }
    runMarked = marked;
    run += cell;
  });
  flush();
}

function addNumbers(line: Line, n: Pick<ServiceNumbers, "rate" | "errorPercent" | "p50" | "p95" | "p99"> | undefined) {
  line
    .add(padLeft(formatRate(n?.rate ?? null), NUMBER))
    .add(padLeft(formatPercent(n?.errorPercent ?? null), NUMBER), ...errorStyle(n?.errorPercent ?? null));
  for (const q of ["p50", "p95", "p99"] as const) {
    const value = n?.[q] ?? null;
    line.add(padLeft(formatLatency(value), NUMBER), ...latencyStyle(value));
  }
}

export function tableLines(state: TuiState, width: number): Line[] {
  const points = sparkWidth(width);
  const roles = visibleRoles(state);
  const rates = roles.map((r) => lastPoints(state.history?.rate[r], points));
  const p95s = roles.map((r) => lastPoints(state.history?.p95[r], points));
  // One scale per column, printed in its header: a tall bar means the same number on every row.
  const ratePeak = peak(rates);
  const p95Peak = peak(p95s);
  // The catalogue order needs no mark; a sorted number column says so.
  const sortMark = (column: TuiState["sort"], text: string) =>
    state.sort === column && column !== "service" ? `${text}↓` : text;
  const header = new Line()
    .add(`  ${padRight(sortMark("service", "SERVICE"), NAME)}`, "bold")
    .add(
      [sortMark("rate", "RATE/s"), sortMark("errors", "ERR%"), "P50", sortMark("p95", "P95"), "P99"]
        .map((h) => padLeft(h, NUMBER))
        .join(""),
      "bold",
    )
    .add("  ")
    .add(padRight(`RATE ≤${history(state) ? `${formatRate(ratePeak)}/s` : NO_DATA}`, points), "bold")
    .add("  ")
    .add(padRight(`P95 ≤${history(state) ? formatLatency(p95Peak) : NO_DATA}`, points), "bold");
  const marks = markedColumns(state, points);
  const selected = selectedRoleName(state);
  const rows = roles.map((name, i) => {
    const numbers = state.snapshot?.services.find((s) => s.role === name);
    const isSelected = name === selected;
    const line = new Line()
      .add(isSelected ? "› " : "  ", "bold")
      .add(padRight(name, name === CONSUMER ? NAME - 4 : NAME), ...roleStyle(isSelected, numbers?.reporting));
    if (name === CONSUMER) line.add(" msg", "dim");
    addNumbers(line, numbers);
    line.add("  ");
    addSpark(line, sparkline(rates[i] ?? [], ratePeak), marks);
    line.add("  ");
    addSpark(line, sparkline(p95s[i] ?? [], p95Peak), marks);
    return line;
  });
  if (rows.length === 0) rows.push(new Line().add(`  no service matches /${state.filter}`, "dim"));
  return [header, ...rows, ...dependencyLines(state), markerLine(state, points, marks)];
}

function history(state: TuiState): boolean {
  return state.history !== null;
}

function roleStyle(selected: boolean, reporting: boolean | undefined): Style[] {
  if (selected) return ["bold"];
  return reporting ? [] : ["dim"];
}

/** Kafka and Postgres as rows: lag and throughput; SQL rate, errors and latency as service-a sees them. */
function dependencyLines(state: TuiState): Line[] {
  const kafka = state.snapshot?.kafka;
  const pg = state.snapshot?.postgres;
  const lag = kafka?.lag ?? null;
  const kafkaLine = new Line()
    .add(`  ${padRight("kafka", NAME - 4)}`, "bold")
    .add(" lag", "dim")
    .add(padLeft(lag === null ? NO_DATA : lag.toFixed(0), NUMBER), ...((lag ?? 0) > 100 ? (["yellow"] as Style[]) : []))
    .add(` msg waiting · ${formatRate(kafka?.throughput ?? null)} msg/s consumed`, "dim");
  const pgLine = new Line().add(`  ${padRight("postgres", NAME - 4)}`, "bold").add(" sql", "dim");
  addNumbers(pgLine, pg);
  pgLine.add("  as service-a sees it", "dim");
  return [kafkaLine, pgLine];
}

/** ▲ where something started, ▼ where something stopped, under both sparklines; the window they cover. */
function markerLine(state: TuiState, points: number, marks: Map<number, LabEvent["kind"] | "both">): Line {
  const cells = Array.from({ length: points }, (_, i) => {
    const mark = marks.get(i);
    return mark === "start" ? "▲" : mark === "stop" ? "▼" : mark === "both" ? "◆" : " ";
  }).join("");
  const legend = `  ▲ start ▼ stop · last ${windowLabel(state.window)} · shared scale`;
  const line = new Line().add(padRight(legend, FIXED), "dim");
  if (marks.size === 0) return line;
  return line.add(cells, "yellow", "bold").add("  ").add(cells, "yellow", "bold");
}
