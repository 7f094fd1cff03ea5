/**
 * `o11y-lab lab` walked as a learner walks it, against the e2e lab (real services, collector and Prometheus; the
 * Tempo and Loki stand-ins of standins.ts): every chapter whose checks need no Docker, each step's check failing
 * first where the learner has not done it yet, then passing once they have.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHAPTERS } from "../../src/lab/lab.ts";
import { latencyQuantile } from "../../src/queries.ts";
import { ROLE_NAMES } from "../../src/roles.ts";
import { runCli } from "./cli.ts";
import { type Lab, lab } from "./lab.ts";
import { startStandins } from "./standins.ts";

let l: Lab;
let standins: ReturnType<typeof startStandins>;
let flowing = true;
let traffic: Promise<void>[] = [];
let fastTrace = "";
const STATE = mkdtempSync(join(tmpdir(), "o11y-lab-walk-"));
const env = { ...process.env, NODE_ENV: "production", O11Y_LAB_STATE_DIR: STATE, NO_COLOR: "1", LANG: "en_US.UTF-8" };

const cli = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { ...env, ...extraEnv });

const backendFlags = () => [
  "--prometheus",
  l.prometheus.url,
  "--tempo",
  standins.url,
  "--loki",
  standins.url,
  "--grafana",
  "http://127.0.0.1:9",
  "--services",
  ROLE_NAMES.map((role) => `${role}=${l.roleUrl(role)}`).join(","),
];
const labCmd = (...args: string[]) => cli(["lab", ...args, ...backendFlags()]);
const chaos = (...args: string[]) => cli(["chaos", ...args, ...backendFlags()]);

/** Runs `lab check` until it passes, as a learner re-runs it; returns the passing output. */
async function checkUntilPass(timeoutMs: number, answer?: string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const run = await labCmd("check", ...(answer ? ["--answer", answer] : []));
    if (run.code === 0) return run.out;
    last = run.out;
    await Bun.sleep(5000);
  }
  throw new Error(`lab check did not pass in ${timeoutMs / 1000} s:\n${last}`);
}

beforeAll(async () => {
  l = await lab();
  standins = startStandins(l.sink);
  // Modest, steady traffic: a baseline p95 a fault can rise above on this shared machine (the e2e lab runs on 2 cores).
  const paced: Array<[string, number]> = [
    [`${l.gatewayUrl}/api/process`, 250],
    [`${l.roleUrl("service-c")}/stats`, 1000],
  ];
  traffic = paced.map(async ([url, pause]) => {
    while (flowing) {
      await fetch(url, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
      await Bun.sleep(pause);
    }
  });
  await l.prometheus.waitForQuery(latencyQuantile(0.95), {
    timeoutMs: 90_000,
    predicate: (v) => v.some((s) => s.metric.job === "o11y-lab/api-gateway" && Number.isFinite(Number(s.value[1]))),
  });
}, 120_000);

afterAll(async () => {
  flowing = false;
  await Promise.all(traffic);
  await chaos("stop");
  await standins.stop();
  rmSync(STATE, { recursive: true, force: true });
});

describe("lab, the chapters that need no Docker", () => {
  test("list, start, check before doing it, and next refusing an unchecked step", async () => {
    const list = await labCmd("list");
    expect(list.out.trim().split("\n")).toHaveLength(CHAPTERS.length);
    expect((await labCmd("status")).out).toContain("no chapter started — o11y-lab lab start 01-introduction");
    expect((await labCmd("start", "4")).out).toContain("04-grafana-tour: A tour of Grafana — step 1/1");
    const zh = await cli(["lab", "status", ...backendFlags()], { LANG: "zh_TW.UTF-8" });
    expect(zh.out).toContain("Grafana 導覽 — 步驟 1/1");
    expect(zh.out).toContain("docs/tutorial/zh-TW/04-grafana-tour.md");
    expect((await labCmd("start", "07")).code).toBe(0);
    const early = await labCmd("check");
    expect(early.out).toContain(
      "✗ delay-service-a: delay-service-a has not run with a baseline — o11y-lab chaos delay-service-a",
    );
    expect(early.out).toContain("not yet — o11y-lab lab hint: o11y-lab k6 load --background");
    expect(early.code).not.toBe(0);
    const next = await labCmd("next");
    expect(next.out).toContain("this step is not checked yet — o11y-lab lab check");
    expect(next.code).not.toBe(0);
    expect((await labCmd("hint")).out).toContain("o11y-lab chaos delay-service-a");
  });

  for (const chapter of CHAPTERS.filter((c) => !c.docker)) {
    test(chapter.slug, async () => {
      expect((await labCmd("start", chapter.slug)).code).toBe(0);
      for (const [i] of chapter.steps.entries()) {
        const step = `${chapter.slug} ${i + 1}`;
        if (step === "07-chaos-basics 1") expect((await chaos("delay-service-a", "--app")).code).toBe(0);
        if (step === "07-chaos-basics 2" || step === "13-capstone 3") expect((await chaos("stop")).code).toBe(0);
        if (step === "08-chaos-levels 1") {
          for (const scenario of ["delay-service-a", "500-errors"]) {
            const watched = await chaos(scenario, "--app", "--watch");
            expect(watched.out).toContain(`PASS ${scenario}`);
            // Back to normal before the next one, or its baseline would still carry this fault.
            const stopped = await chaos("stop", "--watch");
            expect(stopped.out).toContain(`PASS ${scenario} recovered`);
          }
        }
        if (step === "13-capstone 1") {
          // A trace from before the fault: the wrong answer, tried below.
          fastTrace = String((await l.get("/api/process")).body.trace_id);
          expect((await chaos("delay-service-b", "--app")).code).toBe(0);
        }
        let answer: string | undefined;
        if (step === "13-capstone 2") {
          // What the learner finds in Grafana: a trace whose service-b span is slow; first, a fast one.
          const search = async (q: string) => {
            const params = new URLSearchParams({
              q,
              start: String(Math.floor(Date.now() / 1000) - 120),
              end: String(Math.ceil(Date.now() / 1000)),
            });
            return (
              (await (await fetch(`${standins.url}/api/search?${params}`)).json()) as {
                traces: Array<{ traceID: string }>;
              }
            ).traces;
          };
          const wrong = await labCmd("check", "--answer", fastTrace);
          expect(wrong.out).toMatch(
            /✗ your trace: service-b's slowest span in [0-9a-f]{32} took \d+ ms, not 900 ms or more/,
          );
          expect(wrong.code).not.toBe(0);
          answer = (await search('{ resource.service.name = "service-b" && duration >= 900ms }'))[0]?.traceID;
        }
        const passed = await checkUntilPass(150_000, answer);
        expect(passed).toContain("step done — o11y-lab lab next");
        expect(passed).not.toContain("✗");
        expect((await labCmd("next")).code).toBe(0);
      }
    }, 600_000);
  }

  test("lab list shows those chapters done; reset forgets", async () => {
    const lines = (await labCmd("list")).out.trim().split("\n");
    for (const c of CHAPTERS) expect(lines.find((line) => line.includes(c.slug))?.startsWith("✓")).toBe(!c.docker);
    expect((await labCmd("reset")).out).toContain("progress cleared");
    expect((await labCmd("status")).code).not.toBe(0);
  });
});
