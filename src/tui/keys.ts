/** What each key does to the state, and what it asks of the outside world: pure, so keys are unit-tested. */
import type { Faults } from "../chaos/faults.ts";
import { dashboardUrl, traceUrl } from "./links.ts";
import {
  type Effect,
  SORT_COLUMNS,
  selectedRoleName,
  shownLogs,
  shownTraces,
  type TuiState,
  visibleRoles,
  WINDOWS,
} from "./state.ts";
import { hasChildren, visibleSpans } from "./trace.ts";

/** The app-level faults a key toggles on the selected service. */
export const LATENCY_FAULT: Partial<Faults> = { latency_ms: 800, jitter_ms: 100 };
export const ERROR_FAULT: Partial<Faults> = { error_rate: 0.5, error_status: 500 };

/** How far back the exemplar key looks: the rate window, where a p95 jump comes from. */
export const EXEMPLAR_SECONDS = 120;

export type EffectResult = { state: TuiState; effects: Effect[] };
type Result = EffectResult;
const none = (state: TuiState): Result => ({ state, effects: [] });
const refresh = (state: TuiState): Result => ({ state, effects: [{ type: "refresh" }] });

function clamp(value: number, length: number): number {
  return Math.max(0, Math.min(length - 1, value));
}

/** Opens the waterfall of `id` (loaded by the loop), remembering whose slow span to put the cursor on. */
export function openTrace(state: TuiState, id: string, focus: string | null = null): Result {
  return {
    state: { ...state, view: "trace", trace: { id, trace: null, error: null, selected: 0, folded: [], focus } },
    effects: [{ type: "loadTrace", id }],
  };
}

/** What pressing `key` does. Keys are single characters or names: up, down, left, right, enter, escape, … */
export function onKey(state: TuiState, key: string): Result {
  if (key === "ctrl-c") return { state, effects: [{ type: "quit" }] };
  if (state.filtering) return filterKey(state, key);
  switch (state.view) {
    case "help":
      return none({ ...state, view: "main" });
    case "chaos":
      return chaosKey(state, key);
    case "trace":
      return traceKey(state, key);
    case "drill":
      return drillKey(state, key);
    default:
      return mainKey(state, key);
  }
}

function filterKey(state: TuiState, key: string): Result {
  if (key === "enter") return none({ ...state, filtering: false });
  if (key === "escape") return none({ ...state, filtering: false, filter: "" });
  if (key === "backspace") return none({ ...state, filter: [...state.filter].slice(0, -1).join("") });
  if ([...key].length === 1) return none({ ...state, filter: state.filter + key, selectedTrace: 0, selectedLog: 0 });
  return none(state);
}

function chaosKey(state: TuiState, key: string): Result {
  switch (key) {
    case "up":
    case "k":
      return none({ ...state, chaosSelected: clamp(state.chaosSelected - 1, state.chaos.length) });
    case "down":
    case "j":
      return none({ ...state, chaosSelected: clamp(state.chaosSelected + 1, state.chaos.length) });
    case "a":
      return none({ ...state, chaosApp: !state.chaosApp });
    case "enter": {
      const item = state.chaos[state.chaosSelected];
      if (!item) return none({ ...state, view: "main" });
      return {
        state: { ...state, view: "main", message: `starting chaos ${item.name}…` },
        effects: [{ type: "startChaos", name: item.name, app: state.chaosApp }],
      };
    }
    case "escape":
    case "c":
    case "q":
      return none({ ...state, view: "main" });
    default:
      return none(state);
  }
}

/** Keys every view with the table shares: load, chaos, faults, the exemplar, pause, window. */
function labKey(state: TuiState, key: string): Result | null {
  const digit = Number.parseInt(key, 10);
  if (key.length === 1 && digit >= 1 && digit <= state.k6Scenarios.length) {
    const name = state.k6Scenarios[digit - 1] as string;
    return { state: { ...state, message: `starting k6 ${name}…` }, effects: [{ type: "startK6", name }] };
  }
  const role = selectedRoleName(state);
  switch (key) {
    case "?":
    case "h":
      return none({ ...state, view: "help" });
    case "c":
      return none({ ...state, view: "chaos" });
    case "s":
      return { state: { ...state, message: "stopping all chaos…" }, effects: [{ type: "stopChaos" }] };
    case "f":
    case "e": {
      const wanted = key === "f" ? LATENCY_FAULT : ERROR_FAULT;
      const current = state.faults[role];
      const on = key === "f" ? (current?.latency_ms ?? 0) > 0 : (current?.error_rate ?? 0) > 0;
      const off: Partial<Faults> = key === "f" ? { latency_ms: 0, jitter_ms: 0 } : { error_rate: 0 };
      const what = key === "f" ? "latency" : "error";
      return {
        state: { ...state, message: `${on ? "clearing" : "setting"} ${what} fault on ${role}…` },
        effects: [{ type: "setFault", role, faults: on ? off : wanted }],
      };
    }
    case "x":
      return {
        state: { ...state, message: `looking for the slowest ${role} request of the last 2m…` },
        effects: [{ type: "exemplar", role, seconds: EXEMPLAR_SECONDS }],
      };
    case "p":
      return state.paused ? refresh({ ...state, paused: false }) : none({ ...state, paused: true });
    case "+":
    case "-": {
      const at = WINDOWS.indexOf(state.window as (typeof WINDOWS)[number]);
      const next = WINDOWS[clamp(at + (key === "+" ? 1 : -1), WINDOWS.length)] ?? state.window;
      return refresh({ ...state, window: next });
    }
    case "d":
      return { state, effects: [{ type: "open", url: dashboardUrl(state.grafanaUrl) }] };
    default:
      return null;
  }
}

function mainKey(state: TuiState, key: string): Result {
  if (key === "q") return { state, effects: [{ type: "quit" }] };
  const shared = labKey(state, key);
  if (shared) return shared;
  const role = selectedRoleName(state);
  const traces = shownTraces(state);
  const logs = shownLogs(state);
  switch (key) {
    case "up":
    case "k":
    case "down":
    case "j": {
      const delta = key === "up" || key === "k" ? -1 : 1;
      if (state.pane === "traces" && traces.length > 0) {
        return none({ ...state, selectedTrace: clamp(state.selectedTrace + delta, traces.length) });
      }
      if (state.pane === "logs" && logs.length > 0) {
        return none({ ...state, selectedLog: clamp(state.selectedLog + delta, logs.length) });
      }
      const roles = visibleRoles(state);
      const next = roles[clamp(roles.indexOf(role) + delta, roles.length)] ?? role;
      return none({ ...state, selected: next, traces: next === role ? state.traces : null, logs: null });
    }
    case "t":
    case "l": {
      const pane = key === "t" ? "traces" : "logs";
      if (state.pane === pane) return none({ ...state, pane: "events" });
      const logScope = pane === "logs" ? { ...state.logScope, traceId: null, spanId: null } : state.logScope;
      return refresh({ ...state, pane, logScope, selectedTrace: 0, selectedLog: 0 });
    }
    case "a":
    case "w": {
      if (state.pane !== "logs") return none(state);
      const scope = key === "a" ? { all: !state.logScope.all } : { problems: !state.logScope.problems };
      return refresh({ ...state, logScope: { ...state.logScope, ...scope }, logs: null, selectedLog: 0 });
    }
    case "/":
      return none({ ...state, filtering: true, filter: "" });
    case ">":
    case "<": {
      const at = SORT_COLUMNS.indexOf(state.sort) + (key === ">" ? 1 : -1);
      return none({ ...state, sort: SORT_COLUMNS[(at + SORT_COLUMNS.length) % SORT_COLUMNS.length] ?? "service" });
    }
    case "enter": {
      if (state.pane === "traces") {
        const trace = traces[state.selectedTrace];
        return trace ? openTrace(state, trace.traceId, role) : none(state);
      }
      if (state.pane === "logs") {
        const line = logs[state.selectedLog];
        if (!line?.traceId) return none({ ...state, message: "this line carries no trace id" });
        return openTrace(state, line.traceId, line.service);
      }
      return refresh({
        ...state,
        selected: role,
        view: "drill",
        drill: state.drill?.role === role ? state.drill : null,
      });
    }
    case "o": {
      const trace = state.pane === "traces" ? traces[state.selectedTrace] : undefined;
      const url = trace ? traceUrl(state.grafanaUrl, trace.traceId) : dashboardUrl(state.grafanaUrl, role);
      return { state, effects: [{ type: "open", url }] };
    }
    case "escape":
      if (state.filter) return none({ ...state, filter: "" });
      if (state.pane !== "events") return none({ ...state, pane: "events" });
      return none({ ...state, message: null });
    default:
      return none(state);
  }
}

function drillKey(state: TuiState, key: string): Result {
  if (key === "escape" || key === "q" || key === "enter") return none({ ...state, view: "main" });
  if (key === "o") return { state, effects: [{ type: "open", url: dashboardUrl(state.grafanaUrl, state.selected) }] };
  if (key === "t" || key === "l") return mainKey({ ...state, view: "main", pane: "events" }, key);
  return labKey(state, key) ?? none(state);
}

function traceKey(state: TuiState, key: string): Result {
  const open = state.trace;
  if (key === "escape" || key === "q" || !open) return none({ ...state, view: "main" });
  if (key === "o") return { state, effects: [{ type: "open", url: traceUrl(state.grafanaUrl, open.id) }] };
  const trace = open.trace;
  if (!trace) return none(state);
  const spans = visibleSpans(trace, open.folded);
  const span = spans[open.selected];
  const move = (selected: number) => none({ ...state, trace: { ...open, selected: clamp(selected, spans.length) } });
  const fold = (folded: string[]) => none({ ...state, trace: { ...open, folded } });
  switch (key) {
    case "up":
    case "k":
      return move(open.selected - 1);
    case "down":
    case "j":
      return move(open.selected + 1);
    case "left":
    case "right":
    case "enter":
    case " ": {
      if (!span || !hasChildren(trace, span.spanId)) return none(state);
      const isFolded = open.folded.includes(span.spanId);
      const wantFolded = key === "left" ? true : key === "right" ? false : !isFolded;
      return fold(
        wantFolded ? [...new Set([...open.folded, span.spanId])] : open.folded.filter((id) => id !== span.spanId),
      );
    }
    case "l":
    case "L": {
      const logScope = {
        all: true,
        problems: false,
        traceId: open.id,
        spanId: key === "L" ? (span?.spanId ?? null) : null,
      };
      return refresh({ ...state, view: "main", pane: "logs", logScope, logs: null, selectedLog: 0, filter: "" });
    }
    default:
      return none(state);
  }
}
