/**
 * The lab's checks when what they look for is not there: a Tempo stand-in with no spans, an empty chaos journal,
 * a trace id Tempo does not know. Each says in one line what is missing, and `lab check` exits non-zero.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCli } from "./cli.ts";
import { startStandins } from "./standins.ts";

const STATE = mkdtempSync(join(tmpdir(), "o11y-lab-missing-"));
const tempo = startStandins({ spans: () => [], logRecords: () => [], requests: () => [] });
afterAll(async () => {
  await tempo.stop();
  rmSync(STATE, { recursive: true, force: true });
});

/** Puts the learner at `step` of `chapter`, as lab next would have. */
function at(chapter: string, step: number): void {
  mkdirSync(join(STATE, "lab"), { recursive: true });
  writeFileSync(join(STATE, "lab", "progress.json"), JSON.stringify({ chapter, step, done: [] }));
}

async function check(...extra: string[]): Promise<{ code: number; lines: string[] }> {
  const down = "http://127.0.0.1:9";
  const { code, out } = await runCli(
    ["lab", "check", ...extra, "--tempo", tempo.url, "--services", `api-gateway=${down}`],
    // No docker on PATH: the Docker chapters' checks must say so, whatever engine this machine has.
    { ...process.env, O11Y_LAB_STATE_DIR: STATE, PATH: dirname(process.execPath) },
  );
  return { code, lines: out.trim().split("\n") };
}

describe("lab check says what is missing", () => {
  const cases: Array<[string, number, string[], string]> = [
    [
      "06-metrics-traces-logs",
      0,
      [],
      "✗ trace through Kafka: no trace reached service-c through Kafka in the last 15 minutes",
    ],
    [
      "09-auto-instrumentation",
      0,
      [],
      "✗ a service-d server span: no trace with a service-d server span in the last 15 minutes",
    ],
    ["10-manual-instrumentation", 0, [], "✗ a service-c consumer span: no trace with a service-c consumer span"],
    ["11-hybrid-instrumentation", 0, [], "✗ service-a's service_a.record_request span: no trace with"],
    ["07-chaos-basics", 1, [], "✗ delay-service-a over: delay-service-a has not run with a baseline"],
    ["08-chaos-levels", 0, [], "✗ chaos verdicts: no PASS yet for a scenario that moves latency and errors"],
    ["13-capstone", 1, [], "✗ your trace: give the slow trace's id — o11y-lab lab check --answer <32 hex trace id>"],
    ["13-capstone", 1, ["--answer", "ab".repeat(16)], `✗ your trace: Tempo has no trace ${"ab".repeat(16)}`],
    ["02-prerequisites", 0, [], "✗ Docker: Docker is not installed (no docker on PATH) — install Docker Desktop"],
    ["03-up", 0, [], "✗ containers: Docker is not installed (no docker on PATH)"],
    ["14-cleanup", 0, [], "✗ lab down: Docker is not installed (no docker on PATH)"],
  ];
  for (const [chapter, step, extra, line] of cases) {
    test(`${chapter} step ${step + 1}${extra.length ? " (an unknown trace)" : ""}`, async () => {
      at(chapter, step);
      const { code, lines } = await check(...extra);
      expect(lines[0]).toStartWith(line);
      if (chapter === "03-up")
        expect(lines[1]).toBe("✗ gateway: nothing answers at http://127.0.0.1:9/api/process — o11y-lab up");
      expect(lines.at(-1)).toStartWith("o11y-lab: not yet — o11y-lab lab hint: ");
      expect(code).not.toBe(0);
    });
  }

  test("05-load-tests: no smoke report, a crossed threshold, then every threshold held", async () => {
    at("05-load-tests", 0);
    expect((await check()).lines[0]).toBe("✗ k6 smoke: no smoke report yet — o11y-lab k6 smoke");
    // Summaries as k6's handleSummary writes them (k6 is AGPL and never runs here): input, not a result.
    const reports = join(STATE, "k6", "reports");
    mkdirSync(reports, { recursive: true });
    const summary = (failedOk: boolean) =>
      JSON.stringify({
        metrics: {
          http_req_duration: { thresholds: { "p(95)<500": { ok: true } } },
          http_req_failed: { thresholds: { "rate<0.01": { ok: failedOk } } },
        },
      });
    writeFileSync(join(reports, "smoke-2026-01-01T00-00-00Z.json"), summary(false));
    expect((await check()).lines[0]).toBe(
      "✗ k6 smoke: smoke-2026-01-01T00-00-00Z.json: crossed http_req_failed rate<0.01 — see the k6 summary; o11y-lab doctor",
    );
    writeFileSync(join(reports, "smoke-2026-01-01T00-05-00Z.json"), summary(true));
    expect((await check()).lines[0]).toBe("✓ k6 smoke: smoke-2026-01-01T00-05-00Z.json: all 2 thresholds held");
  });
});
