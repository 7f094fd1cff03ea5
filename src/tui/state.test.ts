import { expect, test } from "bun:test";
import { healthy, NOW } from "./fixtures.ts";
import { applyFaults, ERROR_FAULT, LATENCY_FAULT, onKey, type TuiState } from "./state.ts";

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

test("t opens the trace list; enter opens the selected trace, else the service's dashboard", () => {
  const opened = press(healthy(), "t");
  expect(opened.effects).toEqual([{ type: "refresh" }]);
  const withTraces: TuiState = {
    ...opened.state,
    traces: [
      { traceId: "abc123", rootService: "api-gateway", rootName: "GET", start: NOW, durationMs: 900, kind: "slow" },
    ],
  };
  const [trace] = press(withTraces, "enter").effects;
  expect(trace).toMatchObject({ type: "open" });
  expect(trace?.type === "open" && decodeURIComponent(trace.url)).toContain('"query":"abc123"');
  expect(press(healthy(), "j", "o").effects).toEqual([
    { type: "open", url: "http://127.0.0.1:3000/d/o11y-lab-service?var-service=service-a" },
  ]);
  expect(press(healthy(), "d").effects).toEqual([{ type: "open", url: "http://127.0.0.1:3000/d/o11y-lab-overview" }]);
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
