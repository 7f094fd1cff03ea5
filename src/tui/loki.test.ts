import { expect, test } from "bun:test";
import fixture from "../../test/fixtures/exported-logs.json";
import { checkLogQL } from "../stack/logql-check.ts";
import { lokiEntry, type OtlpLogView } from "../stack/loki-otlp.ts";
import { type LogFilter, logLine, logQuery } from "./loki.ts";

/** The records the real collector exported, as Loki's documented OTLP mapping stores them. */
const records = fixture as OtlpLogView[];
const entries = records.map(lokiEntry);
const traced = records.find((r) => r.record.traceId && r.resource["service.name"] === "service-a");
const filter = (f: Partial<LogFilter>): LogFilter => ({
  service: null,
  problems: false,
  traceId: null,
  spanId: null,
  ...f,
});

/** Every filter the log pane can build. */
const TUI_LOG_FILTERS: Record<string, LogFilter> = {
  "every service": filter({}),
  "one service": filter({ service: "service-a" }),
  "warnings and errors of one service": filter({ service: "service-a", problems: true }),
  "one trace": filter({ traceId: traced?.record.traceId ?? "" }),
  "one span": filter({ traceId: traced?.record.traceId ?? "", spanId: traced?.record.spanId ?? "" }),
};

test("every LogQL the log pane builds means, on exported records, what the pane says", () => {
  for (const [name, f] of Object.entries(TUI_LOG_FILTERS)) {
    const verdict = checkLogQL(logQuery(f), entries);
    expect({ name, problems: verdict.problems }).toEqual({ name, problems: [] });
    for (const e of verdict.selected) {
      if (f.service) expect(e.labels.service_name).toBe(f.service);
      if (f.traceId) expect(e.metadata.trace_id).toBe(f.traceId);
      if (f.spanId) expect(e.metadata.span_id).toBe(f.spanId);
      if (f.problems) expect(e.metadata.severity_text).toMatch(/warn|error|fatal/i);
    }
  }
  expect(checkLogQL(logQuery(filter({})), entries).selected).toHaveLength(entries.length);
});

test("trace and span ids are filtered as structured metadata, after the selector", () => {
  expect(logQuery(filter({ traceId: "abc", spanId: "def" }))).toBe(
    '{service_namespace="o11y-lab"} | trace_id="abc" | span_id="def"',
  );
  expect(logQuery(filter({ service: "service-d", problems: true }))).toBe(
    '{service_name="service-d"} | severity_text=~"(?i)warn|error|fatal"',
  );
});

test("Loki's lines become the pane's: time in ms, service, severity and trace context from the labels", () => {
  const labels = { service_name: "service-a", severity_text: "WARN", trace_id: "t1", span_id: "s1" };
  expect(logLine({ labels, time: 3_000_000_000n, line: "slow" })).toEqual({
    time: 3000,
    service: "service-a",
    severity: "WARN",
    traceId: "t1",
    spanId: "s1",
    line: "slow",
  });
  expect(logLine({ labels: {}, time: 0n, line: "x" })).toMatchObject({ service: "?", traceId: null, spanId: null });
});
