import { beforeAll, describe, expect, test } from "bun:test";
import { ROLES } from "../roles.ts";
import { drill, erroring, healthy, idle, logPane, NOW, unreachable, waterfall } from "./fixtures.ts";
import { onKey } from "./keys.ts";
import { MIN_HEIGHT, MIN_WIDTH, render } from "./render.ts";
import type { TuiState } from "./state.ts";
import { sparkWidth } from "./table.ts";
import { cells, clean, Line, stripAnsi } from "./text.ts";

beforeAll(() => {
  process.env.TZ = "UTC";
});

const SIZES = [
  { width: 80, height: 24 },
  { width: 120, height: 40 },
  { width: 60, height: 20 },
] as const;
const FRAMES = { healthy, erroring, idle, unreachable, drill, waterfall, logPane };
const STATES = Object.keys(FRAMES) as Array<keyof typeof FRAMES>;

for (const { width, height } of SIZES)
  describe(`at ${width}x${height}`, () => {
    test.each(STATES)("the %s frame fills the screen exactly and never wraps", (name) => {
      for (const color of [false, true]) {
        const frame = render(FRAMES[name](), { width, height, color });
        expect(frame).toHaveLength(height);
        for (const line of frame) expect(cells(stripAnsi(line))).toBeLessThanOrEqual(width);
      }
    });

    test.each(STATES)("the %s frame", (name) => {
      expect(render(FRAMES[name](), { width, height, color: false }).join("\n")).toMatchSnapshot();
    });
  });

function text(state: TuiState, width = 80, height = 24): string {
  return render(state, { width, height, color: false }).join("\n");
}

test("healthy: one row per role with its numbers, what runs and for how long", () => {
  const frame = text(healthy());
  for (const { name } of ROLES) expect(frame).toContain(name);
  expect(frame).toContain("prom ✓1s  tempo ✓1s  loki ✓1s  grafana ✓");
  expect(frame).toContain("k6 load 1m12s");
  expect(frame).toMatch(/api-gateway\s+12\.4\s+0\.0%\s+42ms\s+118ms\s+231ms/);
  expect(frame).toMatch(/kafka\s+lag\s+3 msg waiting · 4\.20 msg\/s consumed/);
  expect(frame).toMatch(/postgres\s+sql\s+24\.8\s+0\.0%\s+1\.2ms/);
});

test("service-c's row is the consumer's: messages per second and processing time", () => {
  expect(text(healthy())).toMatch(/service-c {2}msg\s+4\.20\s+0\.0%\s+190ms\s+285ms\s+298ms/);
});

test("charts share one scale per column, printed in the header: a trickle draws low next to real traffic", () => {
  const frame = text(healthy()).split("\n");
  expect(frame[2]).toMatch(/RATE ≤15\.0\/s\s+P95 ≤289ms/);
  const spark = (role: string) => (frame.find((l) => l.includes(role)) ?? "").slice(53, 53 + sparkWidth(80));
  // service-d's 0.03 req/s never reaches the height of the gateway's 12 req/s.
  expect(spark("api-gateway")).toContain("█");
  expect(spark("service-d")).not.toMatch(/[▄▅▆▇█]/);
});

test("erroring: the fault, the error share and the failing traces are on screen", () => {
  const frame = text(erroring());
  expect(frame).toMatch(/› service-d\s+18\.1\s+50%/);
  expect(frame).toContain("fault service-d +800ms");
  expect(frame).toContain("fault flags: service-d +800ms, service-d 50% 500");
  expect(frame).toMatch(/› ERROR .* api-gateway GET \/api\/process/);
});

test("idle: no data reads as a dash and the screen says how to start traffic", () => {
  const frame = text(idle());
  expect(frame).toMatch(/service-d\s+0\.00\s+—\s+—\s+—\s+—/);
  expect(frame).toContain("No traffic yet. Press 1 to run k6 smoke");
});

test("unreachable: a plain sentence, the fix, and no numbers", () => {
  const frame = text(unreachable());
  expect(frame).toContain("prom ✗  tempo ✗  loki ✗  grafana ✗");
  expect(frame).toContain("Prometheus is unreachable at http://127.0.0.1:9090 (connection refused).");
  expect(frame).toContain("o11y-lab up");
  expect(frame).not.toMatch(/\d+ms/);
});

test("the trace list shows whenever Tempo answers, Prometheus down or not", () => {
  const state: TuiState = {
    ...erroring(),
    sources: { ...erroring().sources, prometheus: unreachable().sources.prometheus },
  };
  expect(text(state)).toMatch(/› ERROR .* api-gateway GET \/api\/process/);
});

test("the waterfall of a real trace: tree, services, durations, failed spans, the slow span's details", () => {
  const frame = text(waterfall(), 120, 40);
  expect(frame).toMatch(/Trace [0-9a-f]{32} · 19 spans · \d+ms · 2 failed/);
  expect(frame).toMatch(/▾ GET \/api\/process\s+api-gateway/);
  expect(frame).toMatch(/service_a\.third_party\s+service-a\s+[\d.]+ms ✗/);
  // The cursor starts on service-d's slowest span, the one the fault slowed; its attributes are below.
  expect(frame).toMatch(/› +GET \/compute\s+service-d\s+7\d\dms/);
  expect(frame).toMatch(/GET \/compute · service-d · server · 7\d\dms/);
  expect(frame).toContain("http.route = /compute");
});

test("folding a span hides its children", () => {
  const state = waterfall();
  const trace = state.trace?.trace;
  const index = trace?.spans.findIndex((s) => s.name === "service_a.record_request") ?? -1;
  const folded = onKey({ ...state, trace: state.trace && { ...state.trace, selected: index } }, "left").state;
  const frame = text(folded, 120, 40);
  expect(frame).toContain("▸ service_a.record_request");
  expect(frame).not.toContain("INSERT request_logs");
});

test("the log pane: time, severity, service, a mark for lines with a trace, the line", () => {
  const frame = text(logPane(), 120, 40);
  expect(frame).toContain("Logs of every service");
  expect(frame).toMatch(/WARN\s+service-a\s+⌁ Third-party API call failed/);
  expect(frame).toMatch(/INFO\s+service-a\s+Database schema ready/);
});

test("the drill-down: the service's routes and the peers it calls, each with its RED", () => {
  const frame = text(drill());
  expect(frame).toMatch(/\/process\s+12\.4\s+0\.0%\s+97ms/);
  expect(frame).toMatch(/http 127\.0\.0\.1\s+24\.8\s+50%\s+41ms/);
  expect(frame).toMatch(/sql 127\.0\.0\.1\s+24\.8\s+0\.0%\s+4\.8ms/);
});

test("below 80×24 the screen says so plainly, with the size it needs and how to quit", () => {
  for (const [width, height] of [
    [60, 20],
    [79, 24],
    [80, 23],
  ] as const) {
    const frame = text(healthy(), width, height);
    expect(frame).toContain(`Terminal too small: ${width}×${height}.`);
    expect(frame).toContain(`needs ${MIN_WIDTH}×${MIN_HEIGHT}`);
    expect(frame).toContain("press q to quit");
  }
});

test("at 80×24 the clock, every header and the whole key bar fit", () => {
  const frame = render(healthy(), { width: 80, height: 24, color: false });
  expect(frame[0]).toMatch(/22:30:00$/);
  expect(frame[2]).toContain("RATE/s");
  expect(frame[23]).toMatch(/q quit$/);
});

test("starts and stops show as markers under the sparklines", () => {
  const state = healthy();
  const markerRow = (s: TuiState) =>
    render(s, { width: 80, height: 24, color: false }).find((l) => l.includes("▲ start")) ?? "";
  expect(markerRow(state).slice(53)).toContain("▲");
  const stopped = {
    ...state,
    events: [...state.events, { at: NOW - 20_000, kind: "stop" as const, label: "k6 load" }],
  };
  expect(markerRow(stopped).slice(53)).toContain("▼");
});

test("color is SGR only: without color no escape reaches the frame", () => {
  const plain = render(erroring(), { width: 80, height: 24, color: false }).join("\n");
  expect(plain).not.toContain("\x1b");
  const colored = render(erroring(), { width: 80, height: 24, color: true }).join("\n");
  expect(colored).toContain("\x1b[");
  expect(stripAnsi(colored).replace(/ +$/gm, "")).toBe(plain);
});

test("outside text cannot move the cursor: escapes and control characters are removed before drawing", () => {
  const hostile = "boom\x1b[2J\x1b]0;title\x07\r\nnext\tline\x00";
  expect(clean(hostile)).toBe("boom next line");
  expect(clean("a\x85b\x9b2Jc")).toBe("abc");
  const state: TuiState = {
    ...healthy(),
    sources: { ...healthy().sources, tempo: { at: null, error: hostile } },
    pane: "traces",
  };
  const frame = render(state, { width: 80, height: 24, color: false }).join("\n");
  expect(frame).toContain("boom next line — retrying.");
  const controls = [...frame].filter((c) => c !== "\n" && ((c.codePointAt(0) ?? 0) < 32 || /\p{Cc}/u.test(c)));
  expect(controls).toEqual([]);
});

test("wide characters take two cells: a line of them is cut at the screen's width", () => {
  const line = new Line().add("日本語のログ".repeat(20));
  expect(cells(line.print(81, false))).toBeLessThanOrEqual(81);
  expect(cells("日本")).toBe(4);
});

test("help and chaos views replace the body and fit 80×24", () => {
  const help = text(onKey(healthy(), "?").state);
  expect(help).toContain("toggle a latency (+800ms) / error (50% 500) fault");
  const chaos = text(onKey(healthy(), "c").state);
  expect(chaos).toMatch(/› network-delay/);
  expect(chaos).toContain("Docker (Pumba)");
  expect(text(onKey(onKey(healthy(), "c").state, "a").state)).toContain("app-level fault flags");
});

test("/ filters the rows, > sorts by the next column", () => {
  let state = healthy();
  for (const key of ["/", "s", "e", "r", "v", "i", "c", "e", "-", "c", "enter"]) state = onKey(state, key).state;
  const frame = text(state);
  expect(frame).toContain("service-c");
  expect(frame).not.toContain("api-gateway  ");
  const sorted = text(onKey(onKey(healthy(), ">").state, ">").state);
  expect(sorted).toContain("ERR%↓");
  const byRate = text(onKey(healthy(), ">").state).split("\n");
  expect(byRate[3]).toContain("api-gateway");
  expect(byRate[7]).toContain("service-d");
});

test("pause shows in the status line", () => {
  expect(text(onKey(healthy(), "p").state).split("\n")[0]).toContain("PAUSED");
});

test("sparklines share the width left after the numbers", () => {
  expect(sparkWidth(80)).toBe(12);
  expect(sparkWidth(120)).toBe(32);
});

test("the lab step and a CLI-started scenario's hypothesis ride on the running line, never wrapping it", () => {
  const verdict = "lab 07-chaos-basics 1/2 · delay-service-a: PASS";
  expect(text({ ...idle(), verdict })).toContain(` running: nothing · ${verdict}`);
  expect(text({ ...healthy(), verdict })).toContain(`k6 load 1m12s · ${verdict}`);
  const long = `${verdict} ${"x".repeat(80)}`;
  for (const line of render({ ...healthy(), verdict: long }, { width: 80, height: 24, color: true })) {
    expect(cells(stripAnsi(line))).toBeLessThanOrEqual(80);
  }
});
