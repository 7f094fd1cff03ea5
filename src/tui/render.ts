/** The screen as a pure function of state: `render(state, size)` → one string per terminal row. */
import { ROLES } from "../roles.ts";
import { formatClock, formatElapsed } from "./format.ts";
import { chaosLines, drillLines, eventLines, helpLines, logLines, traceLines } from "./panes.ts";
import type { Health, Source, TuiState } from "./state.ts";
import { faultNames } from "./state.ts";
import { tableLines, windowLabel } from "./table.ts";
import { Line, type Style } from "./text.ts";
import { waterfallLines } from "./waterfall.ts";

export interface Size {
  width: number;
  height: number;
  color: boolean;
}

/** The smallest terminal every view is laid out for. */
export const MIN_WIDTH = 80;
export const MIN_HEIGHT = 24;

export function render(state: TuiState, size: Size): string[] {
  const lines =
    size.width < MIN_WIDTH || size.height < MIN_HEIGHT ? tooSmall(size) : frameLines(state, size.width, size.height);
  while (lines.length < size.height) lines.push(new Line());
  return lines.slice(0, size.height).map((l) => l.print(size.width, size.color));
}

/** Said plainly, instead of a layout that cuts headers and keys: what the terminal is, what it needs, how to leave. */
function tooSmall(size: Size): Line[] {
  return [
    new Line().add(" o11y-lab ", "bold", "inverse"),
    new Line(),
    new Line().add(`Terminal too small: ${size.width}×${size.height}.`, "bold"),
    new Line().add(`The TUI needs ${MIN_WIDTH}×${MIN_HEIGHT};`),
    new Line().add("enlarge the window,"),
    new Line().add("or press q to quit."),
  ];
}

function frameLines(state: TuiState, width: number, height: number): Line[] {
  const lines: Line[] = [statusLine(state, width), runningLine(state)];
  const footer = [messageLine(state), keysLine(state)];
  const room = height - lines.length - footer.length;
  if (state.view === "help") lines.push(...helpLines(state));
  else if (state.view === "chaos") lines.push(...chaosLines(state, room));
  else if (state.view === "trace") lines.push(...waterfallLines(state.trace, width, room));
  else {
    const table = tableLines(state, width);
    lines.push(...table);
    const left = room - table.length - 1;
    if (left > 0) lines.push(new Line(), ...(state.view === "drill" ? drillLines : paneLines)(state, left));
  }
  const body = lines.slice(0, height - footer.length);
  while (body.length < height - footer.length) body.push(new Line());
  return [...body, ...footer];
}

function paneLines(state: TuiState, room: number): Line[] {
  const error = state.sources.prometheus.error;
  if (error && state.pane === "events") {
    return [
      new Line().add(`  ${error}.`, "red"),
      new Line().add(`  Retrying every ${state.interval}s. Start the stack with `).add("o11y-lab up", "bold"),
      new Line().add("  or point the TUI at yours with ").add("--prometheus URL", "bold").add("."),
    ];
  }
  const lines =
    state.pane === "traces"
      ? traceLines(state, room)
      : state.pane === "logs"
        ? logLines(state, room)
        : eventLines(state, room);
  return lines.slice(0, room);
}

const HEALTH: Record<Health, [string, Style]> = {
  ok: ["✓", "green"],
  starting: ["…", "yellow"],
  down: ["✗", "red"],
  unknown: ["?", "dim"],
};

/** How a source looks: ✗ when its last read failed, else its probe; the age of its last answer. */
function sourceHealth(state: TuiState, source: Source): Health {
  const { at, error } = state.sources[source];
  if (error) return "down";
  if (source === "prometheus") return at === null ? "unknown" : "ok";
  return state.health[source];
}

/**
 * One item of the status line. Items are drawn in order and, when the line is too narrow, dropped from the lowest
 * `keep` up: a new item (a lab step, a chaos hypothesis) is one entry in STATUS_ITEMS.
 */
export interface StatusItem {
  keep: number;
  draw(state: TuiState): Line | null;
}

const sourceItem = (source: Source, label: string): StatusItem => ({
  keep: 9,
  draw(state) {
    const [mark, style] = HEALTH[sourceHealth(state, source)];
    const { at } = state.sources[source];
    // The refresh indicator: how old the numbers are; yellow once a few polls were missed.
    const age = at === null ? "" : formatElapsed(Math.max(0, state.now - at));
    const stale = at !== null && state.now - at > state.interval * 3000;
    return new Line()
      .add(`${label} `)
      .add(mark, style, "bold")
      .add(age, ...((stale ? ["yellow"] : ["dim"]) as Style[]));
  },
});

export const STATUS_ITEMS: StatusItem[] = [
  { keep: 10, draw: (s) => (s.paused ? new Line().add(" PAUSED ", "bold", "inverse", "yellow") : null) },
  sourceItem("prometheus", "prom"),
  sourceItem("tempo", "tempo"),
  sourceItem("loki", "loki"),
  {
    keep: 5,
    draw: (s) => new Line().add("grafana ").add(...HEALTH[s.health.grafana]),
  },
  {
    keep: 4,
    draw(state) {
      if (!state.snapshot || state.sources.prometheus.error) return null;
      const reporting = state.snapshot.services.filter((s) => s.reporting).length;
      return new Line().add(`services ${reporting}/${ROLES.length}`, reporting === ROLES.length ? "green" : "yellow");
    },
  },
  {
    keep: 2,
    draw(state) {
      const { up, total } = state.snapshot?.targets ?? { up: null, total: null };
      if (up === null || total === null || state.sources.prometheus.error) return null;
      return new Line().add(`targets ${up}/${total}`, up === total ? "green" : "red");
    },
  },
  {
    keep: 3,
    draw: (s) => (s.filter || s.filtering ? new Line().add(`/${s.filter}${s.filtering ? "▏" : ""}`, "bold") : null),
  },
];

/** The stack at a glance, and the clock, which is never cut. */
function statusLine(state: TuiState, width: number): Line {
  const clock = `${windowLabel(state.window)} ${formatClock(state.now)}`;
  const room = width - clock.length - 1;
  let items = STATUS_ITEMS.map((item) => ({ keep: item.keep, line: item.draw(state) })).filter(
    (i): i is { keep: number; line: Line } => i.line !== null,
  );
  const badge = 11;
  const total = () => badge + items.reduce((sum, i) => sum + i.line.width + 2, 0);
  while (items.length > 0 && total() > room) {
    const lowest = Math.min(...items.map((i) => i.keep));
    items = items.filter((i) => i.keep !== lowest);
  }
  const line = new Line().add(" o11y-lab ", "bold", "inverse").add(" ");
  for (const { line: item } of items) line.append(item).add("  ");
  return line.padTo(room).add(clock, "dim");
}

function runningLine(state: TuiState): Line {
  const line = new Line().add(" running: ", "bold");
  if (state.running.length === 0) line.add("nothing", "dim");
  state.running.forEach((a, i) => {
    if (i > 0) line.add(" · ");
    line.add(`${a.kind} ${a.name}`, a.kind === "k6" ? "cyan" : "yellow").add(` ${formatElapsed(state.now - a.since)}`);
  });
  return state.verdict ? line.add(" · ").add(state.verdict, "cyan") : line;
}

function messageLine(state: TuiState): Line {
  const faults = Object.entries(state.faults).flatMap(([role, f]) => faultNames(role, f));
  const line = new Line();
  if (state.filtering)
    return line.add(" filter: ", "bold").add(`${state.filter}▏`).add("  enter keep · esc clear", "dim");
  if (state.message) return line.add(` ${state.message}`, "bold");
  if (faults.length > 0) return line.add(" fault flags: ", "yellow").add(faults.join(", "));
  return line;
}

const KEYS: Record<"main" | "trace" | "drill" | "other", string[][]> = {
  main: [
    ["1-4", "k6"],
    ["c", "chaos"],
    ["f", "slow"],
    ["↵", "drill"],
    ["t", "traces"],
    ["l", "logs"],
    ["x", "slowest"],
    ["/", "filter"],
    ["?", "help"],
    ["q", "quit"],
  ],
  trace: [
    ["↑↓", "span"],
    ["←→", "fold"],
    ["l", "trace logs"],
    ["L", "span logs"],
    ["o", "grafana"],
    ["esc", "back"],
  ],
  drill: [
    ["x", "exemplar"],
    ["t", "traces"],
    ["l", "logs"],
    ["o", "grafana"],
    ["esc", "back"],
  ],
  other: [["esc", "back"]],
};

function keysLine(state: TuiState): Line {
  const keys = KEYS[state.view === "main" || state.view === "trace" || state.view === "drill" ? state.view : "other"];
  const line = new Line();
  for (const [key, what] of keys) {
    const shown = key === "1-4" ? `1-${state.k6Scenarios.length}` : key;
    line.add(` ${shown}`, "bold", "inverse").add(` ${what}`);
  }
  return line;
}
