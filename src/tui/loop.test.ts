import { expect, test } from "bun:test";
import { drill, healthy, NOW, waterfall } from "./fixtures.ts";
import { Loop, type Sources } from "./loop.ts";
import type { TuiState } from "./state.ts";

function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error("fixture without the value");
  return value;
}

/** Every source answering at once, counting what is asked. */
function answering(asked: string[] = []): Sources {
  const state = healthy();
  const trace = must(waterfall().trace?.trace);
  const answer = <T>(name: string, value: T) => {
    asked.push(name);
    return Promise.resolve(value);
  };
  return {
    prometheus: () => answer("prometheus", { snapshot: must(state.snapshot), history: must(state.history) }),
    faults: () => answer("faults", {}),
    health: () => answer("health", state.health),
    traces: () => answer("traces", []),
    logs: () => answer("logs", []),
    drill: () => answer("drill", must(drill().drill)),
    trace: () => answer("trace", trace),
    exemplar: () => answer("exemplar", trace.traceId),
  };
}

function loop(state: TuiState, sources = answering()) {
  const frames: TuiState[] = [];
  const acted: unknown[] = [];
  const l = new Loop(
    state,
    sources,
    (s) => frames.push(s),
    (e) => acted.push(e),
    () => NOW,
  );
  return { l, frames, acted };
}

test("one tick with every source answering draws one frame", async () => {
  const asked: string[] = [];
  // The busiest screen: table, the drill-down reading its own queries, traces in the pane.
  const { l, frames } = loop({ ...drill(), pane: "traces" }, answering(asked));
  await l.tick();
  expect(asked.sort()).toEqual(["drill", "faults", "health", "prometheus", "traces"]);
  expect(frames).toHaveLength(1);
  expect(l.frames).toBe(1);
  expect(frames[0]?.drill?.role).toBe("service-a");
  expect(frames[0]?.sources.tempo.at).toBe(NOW);
});

test("a key draws one frame; a key that needs data brings the tick forward, which draws once more", async () => {
  const { l, frames } = loop(healthy());
  l.key("j");
  expect(frames).toHaveLength(1);
  l.key("t");
  expect(frames).toHaveLength(2);
  // The refresh the key asked for is one tick: its answers land together in one frame.
  await l.tick();
  expect(frames.length).toBeLessThanOrEqual(4);
  expect(frames.at(-1)?.traces).toEqual([]);
});

test("ticks asked for while one runs collapse into one more", async () => {
  const { l, frames } = loop(healthy());
  const first = l.tick();
  void l.tick();
  void l.tick();
  await first;
  expect(frames).toHaveLength(2);
});

test("changes between ticks draw nothing until the next tick", async () => {
  const { l, frames } = loop(healthy());
  l.change((s) => ({ ...s, message: "k6 smoke finished" }));
  l.change((s) => ({ ...s, message: "k6 load finished" }));
  expect(frames).toHaveLength(0);
  await l.tick();
  expect(frames).toHaveLength(1);
  expect(frames[0]?.message).toBe("k6 load finished");
});

test("paused: nothing is read; a trace being opened still loads", async () => {
  const asked: string[] = [];
  const open = waterfall();
  const state: TuiState = {
    ...open,
    paused: true,
    trace: open.trace && { ...open.trace, trace: null, focus: "service-d" },
  };
  const { l } = loop(state, answering(asked));
  await l.tick();
  expect(asked).toEqual(["trace"]);
  // The cursor lands on the slowest span of the service the trace was opened for.
  const loaded = l.state.trace;
  expect(loaded?.trace?.spans[loaded.selected]?.service).toBe("service-d");
});

test("the exemplar key opens the trace of the exemplar and loads it", async () => {
  const { l, frames } = loop(healthy());
  l.key("x");
  await Bun.sleep(0);
  await l.tick();
  expect(l.state.view).toBe("trace");
  expect(l.state.trace?.trace?.spans.length).toBeGreaterThan(0);
  expect(l.state.message).toContain("slowest api-gateway request");
  expect(frames.length).toBeLessThanOrEqual(3);
});

test("a failing source is its own error; the others still land", async () => {
  const sources = { ...answering(), traces: () => Promise.reject(new Error("Tempo is unreachable at x")) };
  const { l } = loop({ ...healthy(), pane: "traces" }, sources);
  await l.tick();
  expect(l.state.sources.tempo.error).toBe("Tempo is unreachable at x");
  expect(l.state.sources.prometheus.error).toBeNull();
  expect(l.state.snapshot).not.toBeNull();
});

test("the verdict source's line lands in the same frame as the rest", async () => {
  const sources: Sources = { ...answering(), verdict: () => Promise.resolve("lab 07-chaos-basics 1/2") };
  const { l, frames } = loop(healthy(), sources);
  await l.tick();
  expect(frames).toHaveLength(1);
  expect(frames[0]?.verdict).toBe("lab 07-chaos-basics 1/2");
});
