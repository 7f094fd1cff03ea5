/** Everything the screen shows: pure data, so frames are unit-tested. What keys do to it is in keys.ts. */
import type { Faults } from "../chaos/faults.ts";
import { ROLES, type RoleName } from "../roles.ts";
import type { LogLine } from "./loki.ts";
import type { Drill, History, Snapshot } from "./snapshot.ts";
import type { TraceRow } from "./tempo.ts";
import type { Trace } from "./trace.ts";

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

export type View = "main" | "help" | "chaos" | "drill" | "trace";
/** What the space under the table shows. */
export type Pane = "events" | "traces" | "logs";

/** A backend as a probe found it: answering ready, answering not ready yet, not answering, not asked yet. */
export type Health = "ok" | "starting" | "down" | "unknown";

/** The backends the TUI reads, each with its own refresh indicator. */
export type Source = "prometheus" | "tempo" | "loki";
export interface SourceState {
  /** When it last answered (unix ms); null before its first answer. */
  at: number | null;
  /** Why the last read failed; null when it worked. */
  error: string | null;
}

export type SortColumn = "service" | "rate" | "errors" | "p95";
export const SORT_COLUMNS: readonly SortColumn[] = ["service", "rate", "errors", "p95"];
/** Sparkline windows `+` and `-` step through, in seconds. */
export const WINDOWS = [60, 300, 900, 3600] as const;

/** The trace open in the waterfall. */
export interface OpenTrace {
  id: string;
  trace: Trace | null;
  error: string | null;
  /** Index into the visible spans. */
  selected: number;
  /** Span ids whose children are hidden. */
  folded: string[];
  /** Put the cursor on this service's slowest span once the trace is loaded (the exemplar's service). */
  focus: string | null;
}

/** Which lines the log pane asks Loki for. */
export interface LogScope {
  /** Every service instead of the selected one. */
  all: boolean;
  problems: boolean;
  traceId: string | null;
  spanId: string | null;
}

export interface TuiState {
  now: number;
  prometheusUrl: string;
  tempoUrl: string;
  lokiUrl: string;
  grafanaUrl: string;
  interval: number;
  snapshot: Snapshot | null;
  history: History | null;
  sources: Record<Source, SourceState>;
  traces: TraceRow[] | null;
  logs: LogLine[] | null;
  drill: Drill | null;
  trace: OpenTrace | null;
  health: { tempo: Health; loki: Health; grafana: Health };
  view: View;
  pane: Pane;
  selected: RoleName;
  selectedTrace: number;
  selectedLog: number;
  logScope: LogScope;
  /** Rows shown only when they contain this text; `filtering` while it is being typed. */
  filter: string;
  filtering: boolean;
  sort: SortColumn;
  /** No reads while paused: the screen holds still to be looked at. */
  paused: boolean;
  /** Seconds the sparklines reach back. */
  window: number;
  k6Scenarios: readonly string[];
  chaos: readonly ChaosItem[];
  chaosSelected: number;
  /** Chaos through the roles' fault flags instead of Docker (works where netem does not). */
  chaosApp: boolean;
  faults: Record<string, Faults | null>;
  running: Activity[];
  events: LabEvent[];
  message: string | null;
  /** The lab step and the CLI-started scenario's hypothesis or verdict, when there is one. */
  verdict?: string | undefined;
}

/** What a key asks the outside world to do; the loop carries it out. */
export type Effect =
  | { type: "quit" }
  | { type: "startK6"; name: string }
  | { type: "startChaos"; name: string; app: boolean }
  | { type: "stopChaos" }
  | { type: "setFault"; role: RoleName; faults: Partial<Faults> | null }
  | { type: "open"; url: string }
  /** Read every source the screen shows now, instead of at the next tick. */
  | { type: "refresh" }
  | { type: "loadTrace"; id: string }
  /** Find the slowest exemplar of a role over the last `seconds` and open its trace. */
  | { type: "exemplar"; role: RoleName; seconds: number };

const NO_SOURCE: SourceState = { at: null, error: null };

export function initialState(options: {
  now: number;
  prometheusUrl: string;
  tempoUrl: string;
  lokiUrl: string;
  grafanaUrl: string;
  interval: number;
  k6Scenarios: readonly string[];
  chaos: readonly ChaosItem[];
}): TuiState {
  return {
    ...options,
    snapshot: null,
    history: null,
    sources: { prometheus: NO_SOURCE, tempo: NO_SOURCE, loki: NO_SOURCE },
    traces: null,
    logs: null,
    drill: null,
    trace: null,
    health: { tempo: "unknown", loki: "unknown", grafana: "unknown" },
    view: "main",
    pane: "events",
    selected: ROLES[0]?.name ?? "api-gateway",
    selectedTrace: 0,
    selectedLog: 0,
    logScope: { all: false, problems: false, traceId: null, spanId: null },
    filter: "",
    filtering: false,
    sort: "service",
    paused: false,
    window: 300,
    chaosSelected: 0,
    chaosApp: false,
    faults: {},
    running: [],
    events: [],
    message: null,
  };
}

const matches = (state: TuiState, ...texts: string[]) => {
  const wanted = state.filter.toLowerCase();
  return !wanted || texts.some((t) => t.toLowerCase().includes(wanted));
};

/** The roles the table shows: filtered by `/`, in the chosen order (numbers largest first). */
export function visibleRoles(state: TuiState): RoleName[] {
  const roles = ROLES.map((r) => r.name).filter((name) => matches(state, name));
  const sort = state.sort;
  if (sort === "service") return roles;
  const key = ({ rate: "rate", errors: "errorPercent", p95: "p95" } as const)[sort];
  const value = (role: RoleName) => state.snapshot?.services.find((s) => s.role === role)?.[key] ?? -1;
  return roles.sort((a, b) => value(b) - value(a));
}

/** The selected role; when the filter hides it, the first role shown. */
export function selectedRoleName(state: TuiState): RoleName {
  const roles = visibleRoles(state);
  return roles.includes(state.selected) ? state.selected : (roles[0] ?? state.selected);
}

export function shownTraces(state: TuiState): TraceRow[] {
  return (state.traces ?? []).filter((t) => matches(state, t.rootService, t.rootName, t.traceId, t.kind));
}

export function shownLogs(state: TuiState): LogLine[] {
  return (state.logs ?? []).filter((l) => matches(state, l.service, l.severity, l.line, l.traceId ?? ""));
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

/** A source answered (`error` null) or failed, at `now`. */
export function sourceAnswered(state: TuiState, source: Source, error: string | null): TuiState {
  const before = state.sources[source];
  return {
    ...state,
    sources: { ...state.sources, [source]: { at: error ? before.at : state.now, error } },
  };
}
