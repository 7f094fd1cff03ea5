import { beforeAll, describe, expect, test } from "bun:test";
import { ROLES } from "../roles.ts";
import { erroring, healthy, idle, NOW, unreachable } from "./fixtures.ts";
import { render, sparkWidth } from "./render.ts";
import { onKey } from "./state.ts";
import { cells, stripAnsi } from "./text.ts";

beforeAll(() => {
  process.env.TZ = "UTC";
});

const SIZES = [
  { width: 80, height: 24 },
  { width: 120, height: 40 },
] as const;
const FRAMES = { healthy, erroring, idle, unreachable };
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

function text(state: ReturnType<typeof healthy>, width = 80, height = 24): string {
  return render(state, { width, height, color: false }).join("\n");
}

test("healthy: one row per role with its numbers, what runs and for how long", () => {
  const frame = text(healthy());
  for (const { name } of ROLES) expect(frame).toContain(name);
  expect(frame).toContain("prometheus ✓ tempo ✓ grafana ✓ · services 5/5 · targets 3/3");
  expect(frame).toContain("k6 load 1m12s");
  expect(frame).toMatch(/api-gateway\s+12\.4\s+0\.0%\s+42ms\s+118ms\s+231ms/);
  expect(frame).toContain("kafka lag 3");
  expect(frame).toContain("postgres p50 1.2ms");
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
  expect(frame).toContain("prometheus ✗ tempo ✗ grafana ✗ · retrying every 2s");
  expect(frame).toContain("Prometheus is unreachable at http://127.0.0.1:9090 (connection refused).");
  expect(frame).toContain("o11y-lab up");
  expect(frame).not.toMatch(/\d+ms/);
});

test("starts and stops show as markers under the sparklines", () => {
  const state = healthy();
  const frame = render(state, { width: 80, height: 24, color: false });
  const markerRow = frame.find((l) => l.includes("▲ start ▼ stop")) ?? "";
  expect(markerRow.slice(16)).toContain("▲");
  const stopped = {
    ...state,
    events: [...state.events, { at: NOW - 20_000, kind: "stop" as const, label: "k6 load" }],
  };
  const row = render(stopped, { width: 80, height: 24, color: false }).find((l) => l.includes("▲ start ▼ stop")) ?? "";
  expect(row.slice(16)).toContain("▼");
});

test("color is SGR only: without color no escape reaches the frame", () => {
  const plain = render(erroring(), { width: 80, height: 24, color: false }).join("\n");
  expect(plain).not.toContain("\x1b");
  const colored = render(erroring(), { width: 80, height: 24, color: true }).join("\n");
  expect(colored).toContain("\x1b[");
  expect(stripAnsi(colored).replace(/ +$/gm, "")).toBe(plain);
});

test("help and chaos views replace the body and fit 80×24", () => {
  const help = text(onKey(healthy(), "?").state);
  expect(help).toContain("toggle a latency fault on the selected service");
  const chaos = text(onKey(healthy(), "c").state);
  expect(chaos).toMatch(/› network-delay/);
  expect(chaos).toContain("Docker (Pumba)");
  expect(text(onKey(onKey(healthy(), "c").state, "a").state)).toContain("app-level fault flags");
});

test("sparklines share the width left after the numbers", () => {
  expect(sparkWidth(80)).toBe(13);
  expect(sparkWidth(120)).toBe(33);
});
