/**
 * Every query of docs/ against the real telemetry: each PromQL block returns data from the e2e Prometheus after
 * traffic, each LogQL block selects log records the real collector exported (as Loki's OTLP mapping stores them), and each
 * TraceQL block filters only on attributes and values the exported spans carry. A block marked `fault=<scenario>`
 * shows something only under that fault: it runs while the scenario's app-level form is on, through the same code
 * as `o11y-lab chaos <scenario> --app`. A 32-hex trace id in a block stands for one of yours: a real one replaces it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { scenarioByName } from "../../src/chaos/catalogue.ts";
import { FaultClient } from "../../src/chaos/faults.ts";
import { type ChaosDeps, startScenario, stopChaos } from "../../src/chaos/run.ts";
import { docker } from "../../src/stack/docker.ts";
import { checkLogQL } from "../../src/stack/logql-check.ts";
import { lokiEntry } from "../../src/stack/loki-otlp.ts";
import { type Block, blocks, pages } from "../support/docs.ts";
import { lab } from "./lab.ts";
import { pollUntil, type SinkSpan } from "./peers.ts";

const l = await lab();
let flowing = true;
const traffic = (async () => {
  while (flowing) {
    await l.get("/api/process").catch(() => undefined);
    await Bun.sleep(250);
  }
})();
afterAll(async () => {
  flowing = false;
  await traffic;
  await stopChaos(chaosDeps);
});

const chaosDeps: ChaosDeps = {
  docker: docker({ PATH: "/nonexistent" }),
  faults: new FaultClient((role) => l.roleUrl(role)),
  annotate: async () => true,
  log: { info() {}, success() {}, warn() {}, log() {} },
  random: Math.random,
  sleep: (ms) => Bun.sleep(ms),
};

// Each block once: the zh-TW pages repeat the English ones (test/docs.test.ts holds them equal).
const unique = new Map<string, Block>();
for (const b of pages()
  .filter((p) => !p.includes("zh-TW"))
  .flatMap(blocks)) {
  if (["promql", "logql", "traceql"].includes(b.lang)) unique.set(`${b.lang} ${b.flags.fault ?? ""} ${b.text}`, b);
}
const queries = [...unique.values()];
const name = (b: Block) => `${b.page}:${b.line} ${b.text.replace(/\s+/g, " ").slice(0, 110)}`;
const EXAMPLE_TRACE_ID = /\b[0-9a-f]{32}\b/g;

/** A trace whose log lines Loki has: the trace ids in the docs' examples stand for it. */
let traceId = "";
async function realTraceId(): Promise<string> {
  if (traceId) return traceId;
  const { body } = await l.get("/api/process");
  const id = String(body.trace_id);
  await l.sink.waitFor(() => l.sink.logRecords().filter((r) => r.record.traceId === id), 30_000, "its logs");
  traceId = id;
  return id;
}

async function promqlHasData(expr: string, timeoutMs: number): Promise<boolean> {
  return (await l.prometheus.waitForQuery(expr, { timeoutMs }).catch(() => [])).length > 0;
}

/**
 * Whether a LogQL query selects log records the collector really exported, as Loki would store them (Loki is AGPL
 * and never runs here: src/stack/loki-otlp.ts is its documented OTLP mapping, src/stack/logql-check.ts runs the
 * query over it). Problems are returned, so a failure says which label is wrong.
 */
async function logqlProblems(logql: string, timeoutMs: number): Promise<string[]> {
  const query = logql.replace(EXAMPLE_TRACE_ID, await realTraceId());
  let problems: string[] = [];
  await pollUntil(
    `exported records for ${query}`,
    () => {
      problems = checkLogQL(query, l.sink.logRecords().map(lokiEntry)).problems;
      return problems.length === 0;
    },
    { timeoutMs, intervalMs: 1000 },
  ).catch(() => undefined);
  return problems;
}

/** Attributes a TraceQL filter names (`resource.x`, `span.x`, `.x`), with the value it compares them to, if any. */
function traceqlAttributes(query: string): { scope: string; key: string; value?: string }[] {
  // String literals are matched first and skipped, so a dot inside a value is not taken for an attribute.
  const tokens = query.matchAll(/"[^"]*"|(resource|span)?\.([a-z_][\w.]*\w)(?:\s*(?:=|!=|=~)\s*"([^"]*)")?/g);
  return [...tokens]
    .filter((m) => m[2] !== undefined)
    .map((m) => ({ scope: m[1] ?? "", key: m[2] ?? "", ...(m[3] !== undefined ? { value: m[3] } : {}) }));
}

function carries(spans: SinkSpan[], a: { scope: string; key: string; value?: string }): boolean {
  return spans.some((s) => {
    const pools =
      a.scope === "resource" ? [s.resource] : a.scope === "span" ? [s.attributes] : [s.resource, s.attributes];
    return pools.some((pool) => a.key in pool && (a.value === undefined || String(pool[a.key]) === a.value));
  });
}

const atRest = queries.filter((q) => !q.flags.fault);
const faults = [...new Set(queries.map((q) => q.flags.fault).filter((f): f is string => Boolean(f)))];

describe("docs queries at rest, after traffic", () => {
  test("the docs have PromQL, LogQL and TraceQL blocks", () => {
    for (const lang of ["promql", "logql", "traceql"]) expect(queries.some((q) => q.lang === lang)).toBe(true);
  });
  for (const q of atRest) {
    test(name(q), async () => {
      if (q.lang === "promql") expect(await promqlHasData(q.text, 90_000)).toBe(true);
      if (q.lang === "logql") expect(await logqlProblems(q.text, 60_000)).toEqual([]);
      if (q.lang === "traceql") {
        const spans = await l.sink.waitFor(() => l.sink.spans(), 30_000, "spans");
        const attributes = traceqlAttributes(q.text);
        expect(attributes.length).toBeGreaterThan(0);
        for (const a of attributes) expect({ ...a, carried: carries(spans, a) }).toEqual({ ...a, carried: true });
        for (const [, span] of q.text.matchAll(/(?<![.\w])name\s*=\s*"([^"]+)"/g)) {
          expect({ span, exported: spans.some((s) => s.span.name === span) }).toEqual({ span, exported: true });
        }
      }
    }, 120_000);
  }
});

describe("docs queries under the fault they describe (app-level form)", () => {
  for (const fault of faults) {
    test(`${fault}: ${queries.filter((q) => q.flags.fault === fault).length} queries show it`, async () => {
      const scenario = scenarioByName(fault);
      if (!scenario) throw new Error(`docs name an unknown scenario ${fault}`);
      await startScenario(scenario, { app: true }, chaosDeps);
      try {
        const missing: string[] = [];
        for (const q of queries.filter((b) => b.flags.fault === fault)) {
          const shown =
            q.lang === "promql"
              ? await promqlHasData(q.text, 120_000)
              : q.lang === "logql"
                ? (await logqlProblems(q.text, 90_000)).length === 0
                : traceqlAttributes(q.text).every((a) => carries(l.sink.spans(), a));
          if (!shown) missing.push(name(q));
        }
        expect(missing).toEqual([]);
      } finally {
        await stopChaos(chaosDeps);
      }
    }, 600_000);
  }
});
