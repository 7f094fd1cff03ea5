/**
 * `o11y-lab doctor`: can this host run the lab (Docker, Compose, memory, ports, netem), and, when the lab is up,
 * does every signal reach its backend: a fresh request's trace in Tempo, its logs in Loki, its metrics in
 * Prometheus, exemplars with trace ids, and data behind every dashboard query. One ✓/✗ line each, with the fix.
 */
import { probeNetem } from "../chaos/run.ts";
import { targetsTotal, targetsUp } from "../queries.ts";
import { ROLE_NAMES } from "../roles.ts";
import { stackServices } from "../stack/compose.ts";
import {
  fillSpanTemplate,
  panelLogQL,
  panelPromQL,
  panelTraceQL,
  substitute,
  tracesToLogsQuery,
  usesService,
  variablePromQL,
} from "../stack/dashboard-queries.ts";
import { checkDocker, checkPorts, MIN_MEMORY_BYTES, portFree } from "../stack/preflight.ts";
import { type Backends, type Check, runCheck, sampleValue, type Verdict, verdictLine } from "./check.ts";
import { gatewayProcessed } from "./queries.ts";

/** Polls `probe` every second until it answers or `seconds` pass: telemetry takes export and scrape intervals. */
export async function eventually<T>(seconds: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() >= deadline) return value;
    await Bun.sleep(1000);
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const hintOf = (error: unknown) => (error as { hint?: string }).hint;

/** Docker, Compose v2 and memory; ports only when the lab is down (its own containers hold them when up). */
function preflightChecks(labUp: boolean): Check[] {
  const docker: Check = {
    name: "Docker",
    async run({ docker }) {
      try {
        await checkDocker(docker, { minMemory: MIN_MEMORY_BYTES, command: "o11y-lab doctor" });
        return { ok: true, line: "Docker and Compose v2 answer, with enough memory" };
      } catch (error) {
        return { ok: false, line: message(error), fix: hintOf(error) };
      }
    },
  };
  const ports: Check = {
    name: "ports",
    async run() {
      try {
        await checkPorts(stackServices(), portFree);
        return { ok: true, line: "every port the lab publishes is free" };
      } catch (error) {
        return { ok: false, line: message(error), fix: hintOf(error) };
      }
    },
  };
  const netem: Check = {
    name: "netem",
    async run({ docker }) {
      if (!docker.path) return { ok: false, line: "no Docker to try netem on", fix: "install Docker first" };
      const result = await probeNetem(docker);
      return result.ok
        ? { ok: true, line: "network faults work on this Docker host" }
        : { ok: false, line: `no netem (${result.reason})`, fix: "network scenarios use --app (the fault flags)" };
    },
  };
  return labUp ? [docker, netem] : [docker, ports, netem];
}

/** Grafana's own trace → logs query, filled for `service`'s span of the trace. */
export function traceLogs(traceId: string, service: string): string {
  return fillSpanTemplate(tracesToLogsQuery(), { traceId, spanId: "", tags: { "service.name": service } });
}

/** What one fresh request left behind, found by its trace id. */
function freshRequestChecks(traceId: Promise<string | undefined>): Check[] {
  const noTrace = { ok: false, line: "no fresh request (the gateway did not answer)", fix: "o11y-lab status" };
  return [
    {
      name: "traces → Tempo",
      async run({ tempo }) {
        const id = await traceId;
        if (!id) return noTrace;
        const spans = await eventually(30, async () => {
          const found = await tempo.trace(id);
          return found?.some((s) => s.service === "service-c") ? found : undefined;
        });
        if (!spans) {
          return {
            ok: false,
            line: `trace ${id} is not in Tempo with service-c's span after 30 s`,
            fix: "see the collector's log: o11y-lab logs otel-collector",
          };
        }
        const services = [...new Set(spans.map((s) => s.service))].join(", ");
        return { ok: true, line: `trace ${id}: ${spans.length} spans from ${services}` };
      },
    },
    {
      name: "logs → Loki",
      async run({ loki }) {
        const id = await traceId;
        if (!id) return noTrace;
        const logql = traceLogs(id, "api-gateway");
        const lines = await eventually(30, async () => {
          const found = await loki.lines(logql, 300);
          return found.length > 0 ? found : undefined;
        });
        return lines
          ? { ok: true, line: `${lines.length} log lines of trace ${id} in Loki` }
          : {
              ok: false,
              line: `no log line of trace ${id} in Loki after 30 s: ${logql}`,
              fix: "o11y-lab logs otel-collector",
            };
      },
    },
  ];
}

function metricsChecks(before: Promise<number>, requested: Promise<string | undefined>): Check[] {
  return [
    {
      name: "metrics → Prometheus",
      async run({ prometheus }) {
        const start = await before;
        if (!(await requested)) return { ok: false, line: "no fresh request (the gateway did not answer)" };
        const after = await eventually(45, async () => {
          const now = await sampleValue(prometheus, gatewayProcessed);
          return now > (Number.isFinite(start) ? start : 0) ? now : undefined;
        });
        return after !== undefined
          ? { ok: true, line: `the gateway's request count moved ${Number.isFinite(start) ? start : 0} → ${after}` }
          : {
              ok: false,
              line: "the gateway's request count did not move in 45 s",
              fix: "o11y-lab logs otel-collector",
            };
      },
    },
    exemplarsCheck,
  ];
}

/** Exemplars on the panels Grafana shows them on, each with a trace id: the metrics → traces link. */
export const exemplarsCheck: Check = {
  name: "exemplars",
  async run({ prometheus }) {
    const end = Date.now() / 1000;
    // The panels Grafana shows exemplars on, as it asks for them.
    const panels = panelPromQL().filter((q) => q.exemplar);
    const series = await Promise.all(
      panels.map((q) => prometheus.exemplars(substitute(q.expr, { service: "api-gateway" }), end - 600, end)),
    );
    const ids = series.flat().flatMap((s) => s.exemplars.map((e) => e.labels.trace_id ?? ""));
    const good = ids.filter((id) => /^[0-9a-f]{32}$/.test(id)).length;
    if (ids.length > 0 && good === ids.length) return { ok: true, line: `${good} exemplars, each with a trace_id` };
    return {
      ok: false,
      line:
        ids.length === 0
          ? "no exemplars in the last 10 minutes"
          : `${ids.length - good} of ${ids.length} exemplars lack a trace_id`,
      fix: "Prometheus needs --enable-feature=exemplar-storage (compose sets it)",
    };
  },
};

/** Every dashboard query (the service variable set to api-gateway): the ones without data, by panel. */
function dashboardCheck(): Check {
  return {
    name: "dashboards",
    async run({ prometheus, loki, tempo }) {
      const fill = (expr: string) => substitute(expr, usesService(expr) ? { service: "api-gateway" } : {});
      const empty: string[] = [];
      const promql = [...panelPromQL(), ...variablePromQL()];
      for (const q of promql) if ((await prometheus.query(fill(q.expr))).length === 0) empty.push(q.source);
      for (const q of panelLogQL()) if ((await loki.lines(fill(q.expr), 900, 1)).length === 0) empty.push(q.source);
      for (const q of panelTraceQL()) if ((await tempo.search(q.expr)).length === 0) empty.push(q.source);
      const total = promql.length + panelLogQL().length + panelTraceQL().length;
      if (empty.length === 0) return { ok: true, line: `all ${total} dashboard queries have data` };
      return {
        ok: false,
        line: `${empty.length} of ${total} dashboard queries have no data: ${empty.join("; ")}`,
        fix: "run load first (o11y-lab k6 smoke); service-graph panels need Tempo's metrics-generator",
      };
    },
  };
}

export interface DoctorResult {
  readonly ok: boolean;
  readonly lines: string[];
}

/** Runs every check, printing each line as it is known. */
export async function doctor(backends: Backends, print: (line: string) => void): Promise<DoctorResult> {
  const lines: string[] = [];
  const say = (name: string, verdict: Verdict) => {
    const line = verdictLine(name, verdict);
    lines.push(line);
    print(line);
    return verdict.ok;
  };
  const targets: Check = {
    name: "Prometheus",
    async run({ prometheus }) {
      const [up, total] = [await sampleValue(prometheus, targetsUp), await sampleValue(prometheus, targetsTotal)];
      return up === total && total > 0
        ? { ok: true, line: `${up} of ${total} scrape targets up` }
        : {
            ok: false,
            line: `${up} of ${total} scrape targets up`,
            fix: "Prometheus › Status › Targets shows the errors",
          };
    },
  };
  const prometheus = await runCheck(targets, backends);
  const labUp = !prometheus.unreachable;
  let ok = true;
  // Without Docker a lab that answers runs elsewhere (serve all, another host): Docker is not its concern.
  if (backends.docker.path || !labUp) {
    for (const check of preflightChecks(labUp)) ok = say(check.name, await runCheck(check, backends)) && ok;
  }
  ok = say("Prometheus", labUp ? prometheus : { ...prometheus, fix: "start the lab: o11y-lab up" }) && ok;
  if (!labUp) return { ok: false, lines };

  const services = await Promise.all(
    ROLE_NAMES.map(async (role) => {
      const ready = await fetch(`${backends.roleUrl(role)}/ready`, { signal: AbortSignal.timeout(3000) }).catch(
        () => undefined,
      );
      return ready?.ok ? undefined : role;
    }),
  );
  const notReady = services.filter(Boolean);
  ok =
    say(
      "services",
      notReady.length === 0
        ? { ok: true, line: `all ${ROLE_NAMES.length} services ready` }
        : { ok: false, line: `not ready: ${notReady.join(", ")}`, fix: "o11y-lab status; o11y-lab logs <service>" },
    ) && ok;

  const before = sampleValue(backends.prometheus, gatewayProcessed).catch(() => Number.NaN);
  const traceId = before.then(async () => {
    const response = await fetch(`${backends.roleUrl("api-gateway")}/api/process`, {
      signal: AbortSignal.timeout(15_000),
    }).catch(() => undefined);
    const body = (await response?.json().catch(() => undefined)) as { trace_id?: string } | undefined;
    return response?.ok ? body?.trace_id : undefined;
  });
  const checks = [...freshRequestChecks(traceId), ...metricsChecks(before, traceId), dashboardCheck()];
  const verdicts = await Promise.all(checks.map((check) => runCheck(check, backends)));
  for (const [i, check] of checks.entries()) ok = say(check.name, verdicts[i] as Verdict) && ok;
  return { ok, lines };
}
