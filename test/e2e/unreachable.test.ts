/**
 * A backend that does not answer is one line and a non-zero exit, for every command that reads live telemetry:
 * nothing listens on the ports given (no lab needed).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./peers.ts";

const STATE = mkdtempSync(join(tmpdir(), "o11y-lab-unreachable-"));
afterAll(() => rmSync(STATE, { recursive: true, force: true }));

const DOWN = "http://127.0.0.1:9";
const flags = [
  "--prometheus",
  DOWN,
  "--tempo",
  DOWN,
  "--loki",
  DOWN,
  "--grafana",
  DOWN,
  "--services",
  `service-a=${DOWN}`,
];

function run(args: string[]): { code: number; lines: string[] } {
  const child = Bun.spawnSync([process.execPath, join(REPO_ROOT, "src/index.ts"), ...args, ...flags], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: "production", O11Y_LAB_STATE_DIR: STATE, PATH: "/nonexistent" },
  });
  return { code: child.exitCode, lines: `${child.stdout}${child.stderr}`.trim().split("\n") };
}

test("chaos --watch: one line, before anything starts", () => {
  const { code, lines } = run(["chaos", "delay-service-a", "--app", "--watch"]);
  expect(lines).toEqual([`o11y-lab: Prometheus is unreachable at ${DOWN} (connection refused)`]);
  expect(code).not.toBe(0);
});

test("report: one line", () => {
  const { code, lines } = run(["report"]);
  expect(lines).toEqual([`o11y-lab: Prometheus is unreachable at ${DOWN} (connection refused)`]);
  expect(code).not.toBe(0);
});

test("lab check: the unreachable backend on the check's line, then what is still missing", () => {
  expect(run(["lab", "start", "04-grafana-tour"]).code).toBe(0);
  const { code, lines } = run(["lab", "check"]);
  expect(lines[0]).toBe(`✗ traffic: Prometheus is unreachable at ${DOWN} (connection refused)`);
  expect(lines[1]).toStartWith("o11y-lab: not yet — o11y-lab lab hint: ");
  expect(code).not.toBe(0);
});
