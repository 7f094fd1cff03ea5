import { expect, test } from "bun:test";
import { healthy, logPane, NOW, waterfall } from "./fixtures.ts";
import { ERROR_FAULT, EXEMPLAR_SECONDS, LATENCY_FAULT, onKey } from "./keys.ts";
import { applyFaults, type TuiState } from "./state.ts";
import { visibleSpans } from "./trace.ts";

function press(state: TuiState, ...keys: string[]) {
  let effects: ReturnType<typeof onKey>["effects"] = [];
  for (const key of keys) ({ state, effects } = onKey(state, key));
  return { state, effects };
}

test("digits start the k6 scenarios in catalogue order", () => {
  expect(press(healthy(), "1").effects).toEqual([{ type: "startK6", name: "smoke" }]);
  expect(press(healthy(), "4").effects).toEqual([{ type: "startK6", name: "spike" }]);
  expect(press(healthy(), "9").effects).toEqual([]);
});

test("the chaos menu selects, toggles app-level and starts", () => {
  const { state, effects } = press(healthy(), "c", "down", "a", "enter");
  expect(effects).toEqual([{ type: "startChaos", name: "kill-random", app: true }]);
  expect(state.view).toBe("main");
  expect(press(healthy(), "c", "escape").state.view).toBe("main");
  expect(press(healthy(), "c", "q").effects).toEqual([]);
});

test("f and e toggle fault flags on the selected service", () => {
  const onD = press(healthy(), "j", "j", "j", "j", "f");
  expect(onD.effects).toEqual([{ type: "setFault", role: "service-d", faults: LATENCY_FAULT }]);
  const faulty: TuiState = {
    ...onD.state,
    faults: { "service-d": { latency_ms: 800, jitter_ms: 100, error_rate: 0, error_status: 500 } },
  };
  expect(press(faulty, "f").effects).toEqual([
    { type: "setFault", role: "service-d", faults: { latency_ms: 0, jitter_ms: 0 } },
  ]);
  expect(press(faulty, "e").effects).toEqual([{ type: "setFault", role: "service-d", faults: ERROR_FAULT }]);
});

test("s stops chaos, q and ctrl-c quit, ? opens help and any key closes it", () => {
  expect(press(healthy(), "s").effects).toEqual([{ type: "stopChaos" }]);
  expect(press(healthy(), "q").effects).toEqual([{ type: "quit" }]);
  expect(press(healthy(), "?", "ctrl-c").effects).toEqual([{ type: "quit" }]);
  expect(press(healthy(), "?").state.view).toBe("help");
  expect(press(healthy(), "?", "x").state.view).toBe("main");
});

test("t opens the trace list; enter opens the selected trace's waterfall, o the same trace in Grafana", () => {
  const opened = press(healthy(), "t");
  expect(opened.effects).toEqual([{ type: "refresh" }]);
  const withTraces: TuiState = {
    ...opened.state,
    traces: [
      { traceId: "abc123", rootService: "api-gateway", rootName: "GET", start: NOW, durationMs: 900, kind: "slow" },
    ],
  };
  const waterfall = press(withTraces, "enter");
  expect(waterfall.effects).toEqual([{ type: "loadTrace", id: "abc123" }]);
  expect(waterfall.state.view).toBe("trace");
  expect(waterfall.state.trace).toMatchObject({ id: "abc123", trace: null, focus: "api-gateway" });
  const [grafana] = press(withTraces, "o").effects;
  expect(grafana?.type === "open" && decodeURIComponent(grafana.url)).toContain('"query":"abc123"');
  expect(press(healthy(), "j", "o").effects).toEqual([
    { type: "open", url: "http://127.0.0.1:3000/d/o11y-lab-service?var-service=service-a" },
  ]);
  expect(press(healthy(), "d").effects).toEqual([{ type: "open", url: "http://127.0.0.1:3000/d/o11y-lab-overview" }]);
});

test("enter on a service drills down into it; esc comes back", () => {
  const drilled = press(healthy(), "j", "enter");
  expect(drilled.state.view).toBe("drill");
  expect(drilled.state.selected).toBe("service-a");
  expect(drilled.effects).toEqual([{ type: "refresh" }]);
  expect(press(drilled.state, "escape").state.view).toBe("main");
});

test("x asks for the slowest exemplar of the selected service", () => {
  expect(press(healthy(), "j", "j", "j", "j", "x").effects).toEqual([
    { type: "exemplar", role: "service-d", seconds: EXEMPLAR_SECONDS },
  ]);
});

test("the waterfall: l and L open the logs of the trace or of the selected span; esc goes back", () => {
  const state = waterfall();
  const open = state.trace;
  const span = open?.trace && visibleSpans(open.trace, open.folded)[open.selected];
  const trace = press(state, "l");
  expect(trace.state).toMatchObject({ view: "main", pane: "logs", logScope: { traceId: open?.id, spanId: null } });
  expect(trace.effects).toEqual([{ type: "refresh" }]);
  expect(press(state, "L").state.logScope).toMatchObject({ traceId: open?.id, spanId: span?.spanId });
  expect(press(state, "escape").state.view).toBe("main");
  expect(press(state, "q").effects).toEqual([]);
});

test("the log pane: a/w change what Loki is asked; enter on a line with a trace opens its waterfall", () => {
  const state = logPane();
  expect(press(state, "w").state.logScope.problems).toBe(true);
  expect(press(state, "a").state.logScope.all).toBe(false);
  const line = state.logs?.[0];
  const opened = press(state, "enter");
  expect(opened.effects).toEqual([{ type: "loadTrace", id: line?.traceId ?? "" }]);
  const untraced = { ...state, selectedLog: (state.logs ?? []).findIndex((l) => !l.traceId) };
  expect(press(untraced, "enter").state.message).toBe("this line carries no trace id");
});

test("p pauses and resumes (with a read), + and - step the chart window", () => {
  expect(press(healthy(), "p").state.paused).toBe(true);
  expect(press(healthy(), "p", "p").effects).toEqual([{ type: "refresh" }]);
  expect(press(healthy(), "+").state.window).toBe(900);
  expect(press(healthy(), "-", "-", "-").state.window).toBe(60);
  expect(press(healthy(), "+", "+", "+", "+").state.window).toBe(3600);
});

test("while typing a filter, keys are text: digits start no k6 and q does not quit", () => {
  const typed = press(healthy(), "/", "1", "q");
  expect(typed.effects).toEqual([]);
  expect(typed.state.filter).toBe("1q");
  expect(press(healthy(), "/", "a", "backspace").state.filter).toBe("");
  expect(press(healthy(), "/", "a", "escape").state).toMatchObject({ filter: "", filtering: false });
});

test("fault flags read from the services start and stop fault activities, with markers", () => {
  const on = applyFaults(healthy(), {
    "service-d": { latency_ms: 800, jitter_ms: 100, error_rate: 0.5, error_status: 503 },
  });
  expect(on.running.map((a) => `${a.kind} ${a.name}`)).toEqual([
    "k6 load",
    "fault service-d +800ms",
    "fault service-d 50% 503",
  ]);
  const off = applyFaults(on, { "service-d": { latency_ms: 0, jitter_ms: 0, error_rate: 0, error_status: 500 } });
  expect(off.running.map((a) => a.name)).toEqual(["load"]);
  expect(off.events.map((e) => `${e.kind} ${e.label}`).slice(-2)).toEqual([
    "stop fault service-d +800ms",
    "stop fault service-d 50% 503",
  ]);
});
