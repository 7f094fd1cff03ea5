/** What each kind of lab check asks, built on the check engine: one line with the measured value, and a fix. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { scenarioByName } from "../chaos/catalogue.ts";
import { FaultClient, isFaulty } from "../chaos/faults.ts";
import { JOB_PREFIX, reportingRoles, requestRate } from "../queries.ts";
import { ROLE_NAMES, type RoleName } from "../roles.ts";
import { composeArgs, parsePs, stackServices } from "../stack/compose.ts";
import { checkDocker } from "../stack/preflight.ts";
import { stackDir, stateDir } from "../stack/state.ts";
import { type Backends, type Check, formatValue, Unreachable, type Verdict } from "../verdict/check.ts";
import { exemplarsCheck, traceLogs } from "../verdict/doctor.ts";
import { measure } from "../verdict/hypothesis.ts";
import { current, readJournal } from "../verdict/journal.ts";
import type { CheckSpec } from "./model.ts";

/** Traces that went through Kafka: service-c's CONSUMER spans. */
export const CONSUMER_TRACES = '{ resource.service.name = "service-c" && kind = consumer }';

const fail = (line: string, fix?: string): Verdict => ({ ok: false, line, ...(fix ? { fix } : {}) });

async function containers(b: Backends) {
  if (!b.docker.path) throw new Unreachable("Docker is not installed (no docker on PATH)");
  const ps = await b.docker.capture([...composeArgs(stackDir()), "ps", "--all", "--format", "json"]);
  if (ps.code !== 0) throw new Error(`docker compose ps failed: ${ps.stderr.trim().split("\n").at(-1) ?? ps.code}`);
  return parsePs(ps.stdout);
}

async function latestK6(test: string): Promise<{ file: string; crossed: string[]; total: number } | undefined> {
  const dir = join(stateDir(), "k6", "reports");
  const file = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.startsWith(`${test}-`) && f.endsWith(".json"))
    .sort()
    .at(-1);
  if (!file) return undefined;
  const summary = JSON.parse(await readFile(join(dir, file), "utf8")) as {
    metrics?: Record<string, { thresholds?: Record<string, { ok?: boolean }> }>;
  };
  const all = Object.entries(summary.metrics ?? {}).flatMap(([m, v]) =>
    Object.entries(v.thresholds ?? {}).map(([t, r]) => ({ name: `${m} ${t}`, ok: r.ok !== false })),
  );
  return { file, crossed: all.filter((t) => !t.ok).map((t) => t.name), total: all.length };
}

/** The scenario's stated hypothesis while it runs (or undefined with the line saying why not). */
async function running(scenario: string) {
  const now = current(await readJournal());
  if (now?.start.scenario !== scenario)
    return { why: `${scenario} is not running (${now ? `${now.start.scenario} is` : "no scenario is"})` };
  if (!now.start.stated) return { why: `${scenario} started without its baseline (Prometheus did not answer then)` };
  return { stated: now.start.stated };
}

/** The check a spec names; `answer` is what the learner gave with `lab check --answer`. */
export function labCheck(spec: CheckSpec, answer?: string): Check {
  switch (spec.check) {
    case "docker-ready":
      return {
        name: "Docker",
        async run({ docker }) {
          try {
            await checkDocker(docker, { command: "o11y-lab lab check" });
            return { ok: true, line: "Docker and Compose v2 answer" };
          } catch (error) {
            return fail((error as Error).message, (error as { hint?: string }).hint);
          }
        },
      };
    case "containers-healthy":
      return {
        name: "containers",
        async run(b) {
          const all = await containers(b);
          const wanted = stackServices().size;
          const healthy = all.filter(
            (c) => c.state === "running" && (c.health === "healthy" || c.health === ""),
          ).length;
          const sick = all
            .filter((c) => c.state !== "running" || (c.health !== "healthy" && c.health !== ""))
            .map((c) => `${c.service} ${c.health || c.state}`);
          if (healthy === wanted)
            return { ok: true, value: healthy, line: `${healthy} of ${wanted} containers healthy` };
          return fail(
            `${healthy} of ${wanted} containers healthy${sick.length ? ` (${sick.join(", ")})` : ""}`,
            "o11y-lab up; o11y-lab status",
          );
        },
      };
    case "lab-down":
      return {
        name: "lab down",
        async run(b) {
          const up = (await containers(b)).filter((c) => c.state === "running").map((c) => c.service);
          return up.length === 0
            ? { ok: true, line: "no container of the lab is running" }
            : fail(`still running: ${up.join(", ")}`, "o11y-lab down");
        },
      };
    case "gateway-answers":
      return {
        name: "gateway",
        async run(b) {
          const url = `${b.roleUrl("api-gateway")}/api/process`;
          const response = await fetch(url, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
          if (!response) return fail(`nothing answers at ${url}`, "o11y-lab up");
          const body = (await response.json().catch(() => ({}))) as { status?: string };
          return response.ok && body.status === "success"
            ? { ok: true, line: `GET /api/process answered ${response.status} "success"` }
            : fail(
                `GET /api/process answered ${response.status} ${body.status ?? ""}`.trim(),
                "o11y-lab status; o11y-lab logs api-gateway",
              );
        },
      };
    case "roles-reporting":
      return {
        name: "traffic",
        async run({ prometheus }) {
          const [rates, reporting] = await Promise.all([
            prometheus.query(requestRate),
            prometheus.query(reportingRoles),
          ]);
          const has = (samples: typeof rates, role: string, min: number) =>
            (samples.find((s) => s.labels.job === `${JOB_PREFIX}${role}`)?.value ?? Number.NaN) >= min;
          // service-c only consumes from Kafka: nothing calls it over HTTP, so reporting at all is its sign of life.
          const missing = ROLE_NAMES.filter((r) =>
            r === "service-c" ? !has(reporting, r, 0) : !has(rates, r, Number.MIN_VALUE),
          );
          return missing.length === 0
            ? { ok: true, line: `requests at every HTTP-called service, and service-c reporting` }
            : fail(`no traffic in the last minute at ${missing.join(", ")}`, "o11y-lab k6 smoke");
        },
      };
    case "k6-passed":
      return {
        name: `k6 ${spec.test}`,
        async run() {
          const report = await latestK6(spec.test);
          if (!report) return fail(`no ${spec.test} report yet`, `o11y-lab k6 ${spec.test}`);
          return report.crossed.length === 0
            ? { ok: true, line: `${report.file}: all ${report.total} thresholds held` }
            : fail(`${report.file}: crossed ${report.crossed.join(", ")}`, "see the k6 summary; o11y-lab doctor");
        },
      };
    case "trace-through-kafka":
      return {
        name: "trace through Kafka",
        async run({ tempo, loki }) {
          const [id] = await tempo.search(CONSUMER_TRACES, 900, 5);
          if (!id)
            return fail(
              "no trace reached service-c through Kafka in the last 15 minutes",
              "curl -s http://127.0.0.1:8080/api/process",
            );
          const spans = (await tempo.trace(id)) ?? [];
          const services = new Set(spans.map((s) => s.service));
          if (!services.has("api-gateway")) return fail(`trace ${id} has no api-gateway span`, "o11y-lab doctor");
          const lines = await loki.lines(traceLogs(id, "service-a"), 900, 5);
          return lines.length > 0
            ? {
                ok: true,
                line: `trace ${id}: ${services.size} services, api-gateway to service-c; ${lines.length} service-a log lines by its trace_id`,
              }
            : fail(`trace ${id} has no service-a log line in Loki`, "o11y-lab doctor");
        },
      };
    case "exemplars":
      return exemplarsCheck;
    case "traceql":
      return {
        name: spec.what,
        async run({ tempo }) {
          const ids = await tempo.search(spec.query, 900, 5);
          return ids.length > 0
            ? { ok: true, value: ids.length, line: `${spec.what}: trace ${ids[0]}` }
            : fail(
                `no trace with ${spec.what} in the last 15 minutes: ${spec.query}`,
                "curl -s http://127.0.0.1:8080/api/process",
              );
        },
      };
    case "chaos-effect":
    case "chaos-recovered": {
      const scenario = scenarioByName(spec.scenario);
      if (!scenario) throw new Error(`lab.json names no scenario ${spec.scenario}`);
      const recovery = spec.check === "chaos-recovered";
      return {
        name: recovery ? `${spec.scenario} over` : spec.scenario,
        async run(b) {
          const events = await readJournal();
          const last = events.findLast((e) => e.kind === "start" && e.scenario === spec.scenario);
          const stated = last?.kind === "start" ? last.stated : undefined;
          if (!stated) return fail(`${spec.scenario} has not run with a baseline`, `o11y-lab chaos ${spec.scenario}`);
          if (!recovery) {
            const now = await running(spec.scenario);
            if (!now.stated) return fail(now.why, `o11y-lab chaos ${spec.scenario}`);
          } else if (current(events))
            return fail(`${current(events)?.start.scenario} is still running`, "o11y-lab chaos stop");
          const value = await measure(stated.hypothesis, scenario, b);
          const unit = stated.hypothesis.measure === "p95" ? "s" : stated.hypothesis.measure === "errors" ? "%" : "";
          const [op, limit] = recovery ? ["<", stated.recovered] : [">", stated.target];
          const ok = Number.isFinite(value) && (recovery ? value < limit : value > limit);
          const line = `${stated.text.split(" now ")[0]} ${formatValue(value, unit)} (expected ${op} ${formatValue(limit, unit)}, baseline ${formatValue(stated.baseline, unit)})`;
          return ok
            ? { ok, value, line }
            : {
                ok,
                value,
                line,
                fix: recovery
                  ? "the 1-minute rates take a minute or two: check again"
                  : "is there traffic? o11y-lab k6 load --background",
              };
        },
      };
    }
    case "chaos-verdicts":
      return {
        name: "chaos verdicts",
        async run(b) {
          const events = await readJournal();
          const passed = new Set(
            events.flatMap((e) => {
              if (e.kind !== "verdict" || !e.ok) return [];
              const start = events.findLast((s) => s.kind === "start" && s.scenario === e.scenario && s.at <= e.at);
              return start?.kind === "start" && start.stated ? [start.stated.hypothesis.measure] : [];
            }),
          );
          const missing = (["p95", "errors"] as const).filter((m) => !passed.has(m));
          if (missing.length > 0) {
            const name = { p95: "latency", errors: "errors" };
            return fail(
              `no PASS yet for a scenario that moves ${missing.map((m) => name[m]).join(" and ")}`,
              "o11y-lab chaos <scenario> --watch (see chaos list)",
            );
          }
          if (current(events))
            return fail(`${current(events)?.start.scenario} is still running`, "o11y-lab chaos stop");
          const faults = new FaultClient((role) => b.roleUrl(role));
          const flags = await Promise.all(
            ROLE_NAMES.map((r) =>
              faults.get(r).then(
                (f) => (isFaulty(f) ? r : undefined),
                () => undefined,
              ),
            ),
          );
          const flagged = flags.filter(Boolean);
          return flagged.length === 0
            ? { ok: true, line: "a latency and an error scenario passed; nothing left running" }
            : fail(`fault flags still set on ${flagged.join(", ")}`, "o11y-lab chaos stop");
        },
      };
    case "slow-span":
      return {
        name: "your trace",
        async run({ tempo }) {
          if (!answer || !/^[0-9a-f]{32}$/.test(answer))
            return fail("give the slow trace's id", "o11y-lab lab check --answer <32 hex trace id>");
          const spans = await tempo.trace(answer);
          if (!spans) return fail(`Tempo has no trace ${answer}`, "copy the id from Grafana's trace view");
          const slowest = spans
            .filter((s) => s.service === (spec.role as RoleName))
            .sort((a, b) => b.durationMs - a.durationMs)[0];
          if (slowest && slowest.durationMs >= spec.ms)
            return {
              ok: true,
              value: slowest.durationMs,
              line: `${spec.role}'s ${slowest.name} took ${Math.round(slowest.durationMs)} ms in trace ${answer}`,
            };
          return fail(
            slowest
              ? `${spec.role}'s slowest span in ${answer} took ${Math.round(slowest.durationMs)} ms, not ${spec.ms} ms or more`
              : `trace ${answer} has no ${spec.role} span`,
            "look for the trace with the longest service-b span",
          );
        },
      };
  }
}
