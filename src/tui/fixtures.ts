/** States for frame tests and `--demo`-free previews: healthy, erroring, idle, unreachable. */
import exportedLogs from "../../test/fixtures/exported-logs.json";
import capturedTrace from "../../test/fixtures/tempo-trace.json";
import { ROLES } from "../roles.ts";
import { lokiEntry, type OtlpLogView } from "../stack/loki-otlp.ts";
import type { LogLine } from "./loki.ts";
import { CONSUMER, type DrillRow, type History, type ServiceNumbers, type Snapshot } from "./snapshot.ts";
import { initialState, type SourceState, type TuiState } from "./state.ts";
import { parseTrace, slowestSpanIndex, type TraceAnswer } from "./trace.ts";

/** 2026-11-25 22:30:00 UTC: every fixture's "now". */
export const NOW = Date.UTC(2026, 10, 25, 22, 30, 0);
const POINTS = 33;
const STEP = 10;

type Numbers = Omit<ServiceNumbers, "role" | "reporting" | "unit">;

function snapshot(services: Numbers[], reporting = true): Snapshot {
  return {
    time: NOW / 1000,
    prometheus: "http://127.0.0.1:9090",
    services: ROLES.map(({ name }, i) => ({
      role: name,
      unit: name === CONSUMER ? "msg" : "req",
      reporting,
      ...(services[i] ?? services[0]),
    })) as ServiceNumbers[],
    kafka: { lag: reporting ? 3 : null, throughput: reporting ? 4.2 : null },
    postgres: {
      rate: reporting ? 24.8 : null,
      errorPercent: reporting ? 0 : null,
      p50: reporting ? 0.0012 : null,
      p95: reporting ? 0.0048 : null,
      p99: reporting ? 0.011 : null,
    },
    targets: { up: 3, total: 3 },
  };
}

function wave(base: number, amplitude: number, phase: number): Array<number | null> {
  return Array.from({ length: POINTS }, (_, i) => Math.max(0, base + amplitude * Math.sin(i / 3 + phase)));
}

function history(rate: (i: number) => Array<number | null>, p95: (i: number) => Array<number | null>): History {
  const start = NOW / 1000 - STEP * (POINTS - 1);
  return {
    start,
    step: STEP,
    rate: Object.fromEntries(ROLES.map(({ name }, i) => [name, rate(i)])),
    p95: Object.fromEntries(ROLES.map(({ name }, i) => [name, p95(i)])),
  };
}

function base(): TuiState {
  return initialState({
    now: NOW,
    prometheusUrl: "http://127.0.0.1:9090",
    tempoUrl: "http://127.0.0.1:3200",
    lokiUrl: "http://127.0.0.1:3100",
    grafanaUrl: "http://127.0.0.1:3000",
    interval: 2,
    k6Scenarios: ["smoke", "load", "stress", "spike"],
    chaos: [
      { name: "network-delay", summary: "500±100ms on every service for 5m" },
      { name: "kill-random", summary: "kill one of service-b..d every 30s" },
      { name: "500-errors", summary: "pause Postgres 30s every 45s" },
    ],
  });
}

const answered: SourceState = { at: NOW - 1000, error: null };

export function healthy(): TuiState {
  return {
    ...base(),
    health: { tempo: "ok", loki: "ok", grafana: "ok" },
    sources: { prometheus: answered, tempo: answered, loki: answered },
    snapshot: snapshot([
      { rate: 12.4, errorPercent: 0, p50: 0.042, p95: 0.118, p99: 0.231 },
      { rate: 12.4, errorPercent: 0, p50: 0.035, p95: 0.097, p99: 0.19 },
      { rate: 12.4, errorPercent: 0, p50: 0.006, p95: 0.014, p99: 0.022 },
      { rate: 4.2, errorPercent: 0, p50: 0.19, p95: 0.285, p99: 0.298 },
      { rate: 0.03, errorPercent: 0, p50: 0.012, p95: 0.028, p99: 0.04 },
    ]),
    // Each role's chart around its own numbers: on one scale, service-d's trickle stays a trickle.
    history: history(
      (i) => wave([12, 12, 12, 4, 0.03][i] ?? 0, [3, 3, 3, 1, 0.01][i] ?? 0, i),
      (i) => wave([0.11, 0.09, 0.014, 0.28, 0.028][i] ?? 0, [0.02, 0.02, 0.003, 0.01, 0.005][i] ?? 0, i),
    ),
    running: [{ kind: "k6", name: "load", since: NOW - 72_000 }],
    events: [{ at: NOW - 72_000, kind: "start", label: "k6 load" }],
  };
}

export function erroring(): TuiState {
  const state = healthy();
  return {
    ...state,
    selected: "service-d",
    snapshot: snapshot([
      { rate: 18.1, errorPercent: 48.2, p50: 0.91, p95: 1.42, p99: 1.9 },
      { rate: 18.1, errorPercent: 48.2, p50: 0.88, p95: 1.37, p99: 1.85 },
      { rate: 9.4, errorPercent: 0, p50: 0.006, p95: 0.015, p99: 0.03 },
      { rate: 4.1, errorPercent: 0, p50: 0.19, p95: 0.285, p99: 0.298 },
      { rate: 18.1, errorPercent: 50.1, p50: 0.81, p95: 0.9, p99: 0.95 },
    ]),
    faults: { "service-d": { latency_ms: 800, jitter_ms: 100, error_rate: 0.5, error_status: 500 } },
    running: [
      { kind: "k6", name: "load", since: NOW - 150_000 },
      { kind: "fault", name: "service-d +800ms", since: NOW - 60_000 },
      { kind: "fault", name: "service-d 50% 500", since: NOW - 30_000 },
    ],
    events: [
      { at: NOW - 150_000, kind: "start", label: "k6 load" },
      { at: NOW - 60_000, kind: "start", label: "fault service-d +800ms" },
      { at: NOW - 30_000, kind: "start", label: "fault service-d 50% 500" },
    ],
    pane: "traces",
    traces: [
      {
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        rootService: "api-gateway",
        rootName: "GET /api/process",
        start: NOW - 4000,
        durationMs: 1412,
        kind: "error",
      },
      {
        traceId: "0af7651916cd43dd8448eb211c80319c",
        rootService: "api-gateway",
        rootName: "GET /api/process",
        start: NOW - 9000,
        durationMs: 903,
        kind: "slow",
      },
    ],
  };
}

export function idle(): TuiState {
  return {
    ...base(),
    health: { tempo: "starting", loki: "ok", grafana: "ok" },
    sources: { prometheus: answered, tempo: { at: null, error: null }, loki: answered },
    snapshot: snapshot([{ rate: 0, errorPercent: null, p50: null, p95: null, p99: null }]),
    history: history(
      () => Array.from({ length: POINTS }, () => 0),
      () => Array.from({ length: POINTS }, () => null),
    ),
  };
}

export function unreachable(): TuiState {
  return {
    ...base(),
    health: { tempo: "down", loki: "down", grafana: "down" },
    sources: {
      prometheus: { at: null, error: "Prometheus is unreachable at http://127.0.0.1:9090 (connection refused)" },
      tempo: { at: null, error: null },
      loki: { at: null, error: null },
    },
  };
}

/** The waterfall of a real trace, captured from the e2e suite (test/fixtures/capture-trace.ts), service-d slowed. */
export function waterfall(): TuiState {
  const { traceId, answer } = capturedTrace as { traceId: string; answer: TraceAnswer };
  const trace = parseTrace(traceId, answer);
  return {
    ...erroring(),
    view: "trace",
    trace: { id: traceId, trace, error: null, selected: slowestSpanIndex(trace, "service-d"), folded: [], focus: null },
  };
}

/** The log pane on the records the real collector exported (test/fixtures/exported-logs.json), as Loki stores them. */
export function logPane(): TuiState {
  const lines: LogLine[] = (exportedLogs as OtlpLogView[])
    .map((log) => ({ log, entry: lokiEntry(log) }))
    .map(({ log, entry }) => ({
      // Shifted to the fixtures' clock, keeping the seconds between the records.
      time:
        NOW -
        60_000 +
        Number((BigInt((log.record as { timeUnixNano?: string }).timeUnixNano ?? "0") / 1_000_000n) % 60_000n),
      service: entry.labels.service_name ?? "?",
      severity: entry.metadata.severity_text ?? "",
      traceId: entry.metadata.trace_id ?? null,
      spanId: entry.metadata.span_id ?? null,
      line: entry.line,
    }))
    .sort((a, b) => b.time - a.time);
  return {
    ...healthy(),
    pane: "logs",
    logScope: { all: true, problems: false, traceId: null, spanId: null },
    logs: lines,
  };
}

/** Enter on service-a: its routes and what it calls. */
export function drill(): TuiState {
  const row = (kind: DrillRow["kind"], name: string, rate: number, errorPercent: number, p95: number): DrillRow => ({
    kind,
    name,
    rate,
    errorPercent,
    p95,
  });
  return {
    ...healthy(),
    view: "drill",
    selected: "service-a",
    drill: {
      role: "service-a",
      routes: [row("route", "/process", 12.4, 0, 0.097)],
      dependencies: [
        row("http", "127.0.0.1", 24.8, 50, 0.041),
        row("sql", "127.0.0.1", 24.8, 0, 0.0048),
        row("kafka", "127.0.0.1:59092", 12.4, 0, 0.006),
      ],
    },
  };
}
