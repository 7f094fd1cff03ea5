/** States for frame tests and `--demo`-free previews: healthy, erroring, idle, unreachable. */
import { ROLES } from "../roles.ts";
import type { History, ServiceNumbers, Snapshot } from "./snapshot.ts";
import { initialState, type TuiState } from "./state.ts";

/** 2026-11-25 22:30:00 UTC: every fixture's "now". */
export const NOW = Date.UTC(2026, 10, 25, 22, 30, 0);
const POINTS = 33;
const STEP = 10;

function snapshot(services: Array<Omit<ServiceNumbers, "role" | "reporting">>, reporting = true): Snapshot {
  return {
    time: NOW / 1000,
    prometheus: "http://127.0.0.1:9090",
    services: ROLES.map(({ name }, i) => ({
      role: name,
      reporting,
      ...(services[i] ?? services[0]),
    })) as ServiceNumbers[],
    kafka: { lag: reporting ? 3 : null, throughput: reporting ? 4.2 : null },
    postgres: { p50: reporting ? 0.0012 : null, p95: reporting ? 0.0048 : null, p99: reporting ? 0.011 : null },
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

export function healthy(): TuiState {
  return {
    ...base(),
    health: { tempo: "ok", grafana: "ok" },
    snapshot: snapshot([
      { rate: 12.4, errorPercent: 0, p50: 0.042, p95: 0.118, p99: 0.231 },
      { rate: 12.4, errorPercent: 0, p50: 0.035, p95: 0.097, p99: 0.19 },
      { rate: 12.4, errorPercent: 0, p50: 0.006, p95: 0.014, p99: 0.022 },
      { rate: 0.03, errorPercent: 0, p50: 0.001, p95: 0.002, p99: 0.002 },
      { rate: 12.4, errorPercent: 0, p50: 0.012, p95: 0.028, p99: 0.04 },
    ]),
    history: history(
      (i) => wave(12, 3, i),
      (i) => wave(0.1, 0.02, i),
    ),
    running: [{ kind: "k6", name: "load", since: NOW - 72_000 }],
    events: [{ at: NOW - 72_000, kind: "start", label: "k6 load" }],
  };
}

export function erroring(): TuiState {
  const state = healthy();
  return {
    ...state,
    selectedRole: 4,
    snapshot: snapshot([
      { rate: 18.1, errorPercent: 48.2, p50: 0.91, p95: 1.42, p99: 1.9 },
      { rate: 18.1, errorPercent: 48.2, p50: 0.88, p95: 1.37, p99: 1.85 },
      { rate: 9.4, errorPercent: 0, p50: 0.006, p95: 0.015, p99: 0.03 },
      { rate: 0.03, errorPercent: 0, p50: 0.001, p95: 0.002, p99: 0.002 },
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
    showTraces: true,
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
    health: { tempo: "starting", grafana: "ok" },
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
    health: { tempo: "down", grafana: "down" },
    prometheusError: "Prometheus is unreachable at http://127.0.0.1:9090 (connection refused)",
  };
}
