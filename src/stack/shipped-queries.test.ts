/**
 * Every query the lab ships parses with its language's own grammar (Grafana's LogQL and TraceQL grammars,
 * Prometheus' PromQL grammar), and every LogQL means something on the log records the collector really exports
 * (a fixture captured from the e2e suite's sink; test/e2e/logql.test.ts checks the same on a live run). Failures name
 * the panel (or TUI query) and the query.
 */
import { describe, expect, test } from "bun:test";
import fixture from "../../test/fixtures/exported-logs.json";
import { CONSUMER_TRACES } from "../lab/checks.ts";
import { CHAPTERS } from "../lab/lab.ts";
import * as tui from "../queries.ts";
import { ROLES } from "../roles.ts";
import { logQuery } from "../tui/loki.ts";
import { traceQueries } from "../tui/tempo.ts";
import * as checks from "../verdict/queries.ts";
import {
  fillSpanTemplate,
  panelLogQL,
  panelPromQL,
  panelTraceQL,
  substitute,
  tracesToLogsQuery,
  tracesToMetrics,
  usesService,
  variablePromQL,
} from "./dashboard-queries.ts";
import { checkLogQL } from "./logql-check.ts";
import { type LokiEntry, lokiEntry, type OtlpLogView } from "./loki-otlp.ts";
import { type QueryLanguage, syntaxErrors } from "./query-syntax.ts";

interface Shipped {
  readonly source: string;
  readonly language: QueryLanguage;
  readonly expr: string;
}

/** The fixture's records as Loki would store them. */
const entries: LokiEntry[] = (fixture as OtlpLogView[]).map(lokiEntry);
const loggedRoles = [...new Set(entries.map((e) => e.labels.service_name ?? ""))].sort();
const withTrace = (fixture as OtlpLogView[]).find((r) => r.record.traceId);

/** Grafana's variables filled the way a learner's first look fills them. */
function filled(expr: string): string {
  if (usesService(expr)) return substitute(expr, { service: "api-gateway", tags: { service_name: "api-gateway" } });
  return substitute(expr, { tags: { service_name: "api-gateway" } });
}

/** Everything the lab runs against Prometheus, Loki and Tempo: dashboards, data source links and the TUI. */
function shippedQueries(): Shipped[] {
  const promql = [...panelPromQL(), ...variablePromQL(), ...tracesToMetrics().queries].map((q) => ({
    source: q.source,
    language: "promql" as const,
    expr: filled(q.expr),
  }));
  // The TUI's queries (src/queries.ts), as src/tui/snapshot.ts runs them.
  const tuiPromql: Array<[string, string]> = [
    ["requestRate", tui.requestRate],
    ["errorPercent", tui.errorPercent],
    ...([0.5, 0.95, 0.99] as const).flatMap(
      (q): Array<[string, string]> => [
        [`latencyQuantile(${q})`, tui.latencyQuantile(q)],
        [`postgresQuantile(${q})`, tui.postgresQuantile(q)],
      ],
    ),
    ...([0.5, 0.95, 0.99] as const).map((q): [string, string] => [`consumerQuantile(${q})`, tui.consumerQuantile(q)]),
    ["reportingRoles", tui.reportingRoles],
    ["kafkaLag", tui.kafkaLag],
    ["kafkaThroughput", tui.kafkaThroughput],
    ["consumerErrorPercent", tui.consumerErrorPercent],
    ["postgresRate", tui.postgresRate],
    ["postgresErrorPercent", tui.postgresErrorPercent],
    ["targetsUp", tui.targetsUp],
    ["targetsTotal", tui.targetsTotal],
    // The checks' own (doctor, lab, report).
    ...Object.entries(checks),
    // The drill-down and the exemplar key, for every role.
    ...ROLES.flatMap(({ name }): Array<[string, string]> => {
      const { routes, dependencies } = tui.drillQueries(name);
      return [
        ...Object.entries(routes).map(([k, e]): [string, string] => [`drill(${name}) routes ${k}`, e]),
        ...Object.entries(dependencies).flatMap(([kind, b]) =>
          Object.entries(b).map(([k, e]): [string, string] => [`drill(${name}) ${kind} ${k}`, e]),
        ),
        [`entrySpanDurations(${name})`, tui.entrySpanDurations(name)],
      ];
    }),
  ];
  const logql = panelLogQL().map((q) => ({ source: q.source, language: "logql" as const, expr: filled(q.expr) }));
  // The TUI's log pane (src/tui/loki.ts), each filter it can build, trace and span from a fixture record.
  const pane = { service: null, problems: false, traceId: null, spanId: null };
  const tuiLogql = [
    { ...pane },
    { ...pane, service: "service-a" },
    { ...pane, service: "service-a", problems: true },
    { ...pane, problems: true },
    { ...pane, traceId: withTrace?.record.traceId ?? "" },
    { ...pane, traceId: withTrace?.record.traceId ?? "", spanId: withTrace?.record.spanId ?? "" },
  ].map((f) => ({ source: `TUI › logs ${JSON.stringify(f)}`, language: "logql" as const, expr: logQuery(f) }));
  const traceLink = fillSpanTemplate(tracesToLogsQuery(), {
    traceId: withTrace?.record.traceId ?? "",
    spanId: withTrace?.record.spanId ?? "",
    tags: withTrace?.resource ?? {},
  });
  const traceql = [
    ...panelTraceQL().map((q) => ({ source: q.source, expr: q.expr })),
    ...ROLES.flatMap((r) =>
      Object.entries(traceQueries(r.name)).map(([kind, expr]) => ({
        source: `TUI › ${kind} traces of ${r.name}`,
        expr,
      })),
    ),
    // The lab's checks.
    { source: "lab › trace through Kafka", expr: CONSUMER_TRACES },
    ...CHAPTERS.flatMap((c) =>
      c.steps.flatMap((step) =>
        step.checks.flatMap((k) => (k.check === "traceql" ? [{ source: `lab › ${c.slug}`, expr: k.query }] : [])),
      ),
    ),
  ].map((q) => ({ ...q, language: "traceql" as const }));
  return [
    ...promql,
    ...tuiPromql.map(([name, expr]) => ({ source: `TUI › ${name}`, language: "promql" as const, expr })),
    ...logql,
    ...tuiLogql,
    { source: "Tempo trace → logs (filled from a fixture span)", language: "logql", expr: traceLink },
    ...traceql,
  ];
}

/** What is wrong with one shipped query: its syntax, and for LogQL what it selects among `records`. */
function problems(q: Shipped, records: readonly LokiEntry[] = entries): string[] {
  const found = q.language === "logql" ? checkLogQL(q.expr, records).problems : syntaxErrors(q.language, q.expr);
  return found.map((p) => `${q.source}: ${p}\n    ${q.expr}`);
}

describe("the fixture is a real export", () => {
  test("it has records of every role, with trace context", () => {
    expect(loggedRoles).toEqual(ROLES.map((r) => r.name).sort());
    expect(withTrace?.record.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("every shipped query parses, and every LogQL selects exported records", () => {
  const all = shippedQueries();
  for (const language of ["promql", "logql", "traceql"] as const) {
    const mine = all.filter((q) => q.language === language);
    test(`${mine.length} ${language} queries`, () => {
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.flatMap((q) => problems(q))).toEqual([]);
    });
  }

  test("the service-scoped LogQL selects records of every role that logs", () => {
    for (const q of panelLogQL().filter((p) => usesService(p.expr))) {
      for (const service of loggedRoles) {
        const expr = substitute(q.expr, { service });
        expect(problems({ source: `${q.source} (${service})`, language: "logql", expr })).toEqual([]);
      }
    }
  });
});

describe("a broken query fails, naming the panel and the query", () => {
  const panel = "overview.json › Error and warning logs › A";

  test("a LogQL syntax error", () => {
    const expr = '{service_namespace="o11y-lab" | severity_text="ERROR"';
    const [message] = problems({ source: panel, language: "logql", expr });
    expect(message).toContain(panel);
    expect(message).toContain(expr);
    expect(message).toContain("syntax error");
  });

  test("a label no exported record carries", () => {
    const expr = '{service_namespace="o11y-lab"} | user_id="42"';
    const [message] = problems({ source: panel, language: "logql", expr });
    expect(message).toContain(panel);
    expect(message).toContain(expr);
    expect(message).toContain("user_id is carried by no exported record");
  });

  test("structured metadata used as a stream label (the codelab's mistake with trace ids)", () => {
    const [message] = problems({ source: panel, language: "logql", expr: '{trace_id="abc"}' });
    expect(message).toContain("trace_id is structured metadata, not an index label");
  });

  test("a value no record has", () => {
    const [message] = problems({ source: panel, language: "logql", expr: '{service_name="container-a"}' });
    expect(message).toContain(`selects none of the ${entries.length} exported records`);
  });

  test("PromQL and TraceQL syntax errors", () => {
    expect(problems({ source: "TUI › x", language: "promql", expr: "sum(rate(x[1m])" })[0]).toContain("TUI › x");
    expect(problems({ source: "tracing › y", language: "traceql", expr: "{ status = }" })[0]).toContain("tracing › y");
  });
});

describe("Loki's OTLP mapping", () => {
  const [first] = fixture as OtlpLogView[];

  test("resource attributes of the default list and the stack's loki.yaml are index labels, the rest metadata", () => {
    const e = lokiEntry({ ...(first as OtlpLogView), resource: { "service.name": "a", "host.name": "h" } });
    expect(e.labels).toEqual({ service_name: "a" });
    expect(e.metadata.host_name).toBe("h");
    const env = lokiEntry({ ...(first as OtlpLogView), resource: { "deployment.environment.name": "lab" } });
    expect(env.labels).toEqual({ deployment_environment_name: "lab" });
  });

  test("record attributes, trace context and severity are structured metadata; the body is the line", () => {
    const e = lokiEntry({
      resource: {},
      scope: { name: "o11y-lab" },
      attributes: { "lab.log_id": 7 },
      record: { traceId: "t", spanId: "s", severityText: "WARN", severityNumber: 13, body: { stringValue: "hi" } },
    });
    expect(e).toEqual({
      labels: {},
      metadata: {
        scope_name: "o11y-lab",
        lab_log_id: "7",
        trace_id: "t",
        span_id: "s",
        severity_text: "WARN",
        severity_number: "13",
      },
      line: "hi",
    });
  });
});
