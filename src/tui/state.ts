/** Everything the screen shows, and what each key does to it: pure, so frames and keys are unit-tested. */
import type { Faults } from "../chaos/faults.ts";
import { ROLES, type Role, type RoleName } from "../roles.ts";
import { dashboardUrl, traceUrl } from "./links.ts";
import type { History, Snapshot } from "./snapshot.ts";
import type { TraceRow } from "./tempo.ts";

/** Something running that changes what the numbers do: a k6 run, a chaos scenario, a role's fault flags. */
export interface Activity {
  kind: "k6" | "chaos" | "fault";
  name: string;
  /** unix milliseconds */
  since: number;
}

/** A start or stop, drawn as a marker on the sparklines. */
export interface LabEvent {
  at: number;
  kind: "start" | "stop";
  label: string;
}

/** A chaos scenario as the menu lists it. */
export interface ChaosItem {
  name: string;
  summary: string;
  /** How long its containers' fault lasts; undefined when it lasts until `chaos stop`. */
  seconds?: number;
  /** What it should do to the numbers: shown once it is on. */
  expect?: string;
}

export type View = "main" | "help" | "chaos";

/** A backend as a probe found it: answering ready, answering not ready yet, not answering, not asked yet. */
export type Health = "ok" | "starting" | "down" | "unknown";

export interface TuiState {
  now: number;
  prometheusUrl: string;
  tempoUrl: string;
  grafanaUrl: string;
  interval: number;
  snapshot: Snapshot | null;
  history: History | null;
  /** Why the last Prometheus read failed; null when it worked. */
  prometheusError: string | null;
  traces: TraceRow[] | null;
  tempoError: string | null;
  health: { tempo: Health; grafana: Health };
  showTraces: boolean;
  view: View;
  /** Index into ROLES. */
  selectedRole: number;
  selectedTrace: number;
  k6Scenarios: readonly string[];
  chaos: readonly ChaosItem[];
  chaosSelected: number;
  /** Chaos through the roles' fault flags instead of Docker (works where netem does not). */
  chaosApp: boolean;
  faults: Record<string, Faults | null>;
  running: Activity[];
  events: LabEvent[];
  message: string | null;
}

/** What a key asks the outside world to do; the loop carries it out. */
export type Effect =
  | { type: "quit" }
  | { type: "startK6"; name: string }
  | { type: "startChaos"; name: string; app: boolean }
  | { type: "stopChaos" }
  | { type: "setFault"; role: RoleName; faults: Partial<Faults> | null }
  | { type: "open"; url: string }
  | { type: "refresh" };

/** The app-level faults a key toggles on the selected service. */
export const LATENCY_FAULT: Partial<Faults> = { latency_ms: 800, jitter_ms: 100 };
export const ERROR_FAULT: Partial<Faults> = { error_rate: 0.5, error_status: 500 };

export function initialState(options: {
  now: number;
  prometheusUrl: string;
  tempoUrl: string;
  grafanaUrl: string;
  interval: number;
  k6Scenarios: readonly string[];
  chaos: readonly ChaosItem[];
}): TuiState {
  return {
    ...options,
    snapshot: null,
    history: null,
    prometheusError: null,
    traces: null,
    tempoError: null,
    health: { tempo: "unknown", grafana: "unknown" },
    showTraces: false,
    view: "main",
    selectedRole: 0,
    selectedTrace: 0,
    chaosSelected: 0,
    chaosApp: false,
    faults: {},
    running: [],
    events: [],
    message: null,
  };
}

export function selectedRoleName(state: TuiState): RoleName {
  return (ROLES[state.selectedRole] ?? (ROLES[0] as Role)).name;
}

function clamp(value: number, length: number): number {
  return Math.max(0, Math.min(length - 1, value));
}

/** What pressing `key` does. Keys are single characters or names: up, down, enter, escape, ctrl-c. */
export function onKey(state: TuiState, key: string): { state: TuiState; effects: Effect[] } {
  const none = (next: TuiState) => ({ state: next, effects: [] });
  if (key === "ctrl-c" || (key === "q" && state.view === "main")) return { state, effects: [{ type: "quit" }] };

  if (state.view === "help") return none({ ...state, view: "main" });

  if (state.view === "chaos") {
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

  const digit = Number.parseInt(key, 10);
  if (key.length === 1 && digit >= 1 && digit <= state.k6Scenarios.length) {
    const name = state.k6Scenarios[digit - 1] as string;
    return { state: { ...state, message: `starting k6 ${name}…` }, effects: [{ type: "startK6", name }] };
  }

  const role = selectedRoleName(state);
  const listLength = state.showTraces ? (state.traces?.length ?? 0) : ROLES.length;
  switch (key) {
    case "?":
    case "h":
      return none({ ...state, view: "help" });
    case "c":
      return none({ ...state, view: "chaos" });
    case "up":
    case "k":
    case "down":
    case "j": {
      const delta = key === "up" || key === "k" ? -1 : 1;
      if (state.showTraces && listLength > 0) {
        return none({ ...state, selectedTrace: clamp(state.selectedTrace + delta, listLength) });
      }
      return none({ ...state, selectedRole: clamp(state.selectedRole + delta, ROLES.length), traces: null });
    }
    case "t":
      return {
        state: { ...state, showTraces: !state.showTraces, selectedTrace: 0 },
        effects: state.showTraces ? [] : [{ type: "refresh" }],
      };
    case "s":
      return { state: { ...state, message: "stopping all chaos…" }, effects: [{ type: "stopChaos" }] };
    case "f":
    case "e": {
      const wanted = key === "f" ? LATENCY_FAULT : ERROR_FAULT;
      const current = state.faults[role];
      const on = key === "f" ? (current?.latency_ms ?? 0) > 0 : (current?.error_rate ?? 0) > 0;
      const off: Partial<Faults> = key === "f" ? { latency_ms: 0, jitter_ms: 0 } : { error_rate: 0 };
      return {
        state: {
          ...state,
          message: `${on ? "clearing" : "setting"} ${key === "f" ? "latency" : "error"} fault on ${role}…`,
        },
        effects: [{ type: "setFault", role, faults: on ? off : wanted }],
      };
    }
    case "enter":
    case "o": {
      const trace = state.showTraces ? state.traces?.[state.selectedTrace] : undefined;
      const url = trace ? traceUrl(state.grafanaUrl, trace.traceId) : dashboardUrl(state.grafanaUrl, role);
      return { state, effects: [{ type: "open", url }] };
    }
    case "d":
      return { state, effects: [{ type: "open", url: dashboardUrl(state.grafanaUrl) }] };
    case "escape":
      return none({ ...state, showTraces: false, message: null });
    default:
      return none(state);
  }
}

/** Records a start or stop: a marker on the sparklines and, for starts, a running activity. */
export function recordEvent(state: TuiState, kind: LabEvent["kind"], activity: Omit<Activity, "since">): TuiState {
  const at = state.now;
  const label = `${activity.kind} ${activity.name}`;
  const others = state.running.filter((a) => !(a.kind === activity.kind && a.name === activity.name));
  return {
    ...state,
    events: [...state.events, { at, kind, label }].slice(-50),
    running: kind === "start" ? [...others, { ...activity, since: at }] : others,
  };
}

/** The fault activities a role's flags amount to: "service-d +800ms", "service-d 50% 500". */
export function faultNames(role: string, faults: Faults | null): string[] {
  if (!faults) return [];
  const names: string[] = [];
  if (faults.latency_ms > 0) names.push(`${role} +${faults.latency_ms}ms`);
  if (faults.error_rate > 0) names.push(`${role} ${Math.round(faults.error_rate * 100)}% ${faults.error_status}`);
  return names;
}

/** Takes in freshly read fault flags: new faults start, vanished ones stop (whoever set them). */
export function applyFaults(state: TuiState, faults: Record<string, Faults | null>): TuiState {
  const wanted = new Set(Object.entries(faults).flatMap(([role, f]) => faultNames(role, f)));
  let next: TuiState = { ...state, faults };
  for (const a of state.running) {
    if (a.kind === "fault" && !wanted.has(a.name)) next = recordEvent(next, "stop", a);
  }
  for (const name of wanted) {
    if (!next.running.some((a) => a.kind === "fault" && a.name === name)) {
      next = recordEvent(next, "start", { kind: "fault", name });
    }
  }
  return next;
}
