/**
 * `bun run bench`: what each role costs on this machine, as one table. The five roles run against the real peers
 * (Postgres, Kafka, the collector) with the compose file's telemetry settings, once with telemetry on and once with
 * OTEL_SDK_DISABLED=true. Each run: RSS at start; idle CPU and warm idle RSS; CPU per GET /api/process at fixed
 * open-loop rates and at closed-loop saturation; then how fast service-c drains what saturation left on the topic.
 * CPU is read from /proc per process (bench/proc.ts), the collector's apart from the roles'. Needs
 * `bash test/setup/install.sh` once. BENCH_BINARY=dist/o11y-lab runs a compiled binary instead of the source.
 */
import { resolve } from "node:path";
import { ROLES, type RoleName } from "../src/roles.ts";
import { FROM_SOURCE, type Peers, ROLE_PORTS, type RoleProcess, spawnRole, startPeers } from "../test/e2e/lab.ts";
import { cachePaths } from "../test/e2e/peers.ts";
import { closedLoop, type LoadResult, openLoop } from "./load.ts";
import { cpuMs, descendantsPssMiB, memoryMiB, pidOf, rssMiB } from "./proc.ts";

const seconds = (name: string, fallback: number) => Number(process.env[name] ?? fallback) * 1000;
const IDLE_MS = seconds("BENCH_IDLE_SECONDS", 60);
const RATE_MS = seconds("BENCH_RATE_SECONDS", 10);
const SATURATION_MS = seconds("BENCH_SECONDS", 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const RATES = (process.env.BENCH_RATES ?? "10,50,100").split(",").map(Number);
const COMMAND = process.env.BENCH_BINARY ? [resolve(process.env.BENCH_BINARY)] : FROM_SOURCE;
/** compose.yaml's values, not the e2e lab's short test intervals: the lab as a learner runs it. */
const COMPOSE_TELEMETRY = {
  OTEL_METRIC_EXPORT_INTERVAL: "10000",
  OTEL_BSP_SCHEDULE_DELAY: "1000",
  OTEL_BLRP_SCHEDULE_DELAY: "1000",
};

const GATEWAY = `http://127.0.0.1:${ROLE_PORTS["api-gateway"]}/api/process`;
const STATS = `http://127.0.0.1:${ROLE_PORTS["service-c"]}/stats`;

type Who = RoleName | "collector";

/** CPU ms each process spent between two readings. */
class CpuMeter {
  constructor(private readonly pids: Map<Who, number>) {}
  read(): Map<Who, number> {
    return new Map([...this.pids].map(([who, pid]) => [who, cpuMs(pid)]));
  }
  since(before: Map<Who, number>): Map<Who, number> {
    const now = this.read();
    return new Map([...now].map(([who, ms]) => [who, ms - (before.get(who) ?? 0)]));
  }
}

interface Phase {
  load: LoadResult;
  /** CPU ms per answered request, per process. */
  cpuPerRequest: Map<Who, number>;
}

interface Run {
  label: string;
  rss: Map<RoleName, { start: number; idle: number; peak: number; anon: number; pss: number }>;
  idleMsPerMinute: Map<Who, number>;
  phases: Map<string, Phase>;
  drain: string;
  pss: { idle: number; peak: number };
}

async function phase(meter: CpuMeter, traffic: () => Promise<LoadResult>): Promise<Phase> {
  const before = meter.read();
  const load = await traffic();
  await Bun.sleep(500); // the consumer's last messages of this phase
  const spent = meter.since(before);
  const n = Math.max(1, load.requests);
  return { load, cpuPerRequest: new Map([...spent].map(([who, ms]) => [who, ms / n])) };
}

interface Stats {
  messages_processed: number;
  lag: number | null;
}
const stats = async () => (await (await fetch(STATS)).json()) as Stats;

/** Messages per second service-c consumes while saturation's backlog lasts (up to 60 s). */
async function drain(): Promise<string> {
  const first = await stats();
  if ((first.lag ?? 0) < 50) return `kept up (lag ${first.lag} at the end of saturation)`;
  const started = performance.now();
  let last = first;
  while (performance.now() - started < 60_000 && (last.lag ?? 1) > 0) {
    await Bun.sleep(500);
    last = await stats();
  }
  const rate = (last.messages_processed - first.messages_processed) / ((performance.now() - started) / 1000);
  return `${rate.toFixed(0)} msg/s from a backlog of ${first.lag} (${last.lag ?? "?"} left)`;
}

async function measure(label: string, env: Record<string, string>, peers: Peers, collector: number): Promise<Run> {
  const started = await Promise.all(
    ROLES.map((r) => spawnRole(r.name, peers, { ...COMPOSE_TELEMETRY, ...env }, `bench-${r.name}.log`, COMMAND)),
  );
  const roles = new Map(ROLES.map((r, i) => [r.name, (started[i] as RoleProcess).process.pid]));
  const rss = new Map(
    [...roles].map(([role, pid]) => [role, { start: rssMiB(pid), idle: 0, peak: 0, anon: 0, pss: 0 }]),
  );
  const meter = new CpuMeter(new Map<Who, number>([...roles, ["collector", collector]]));
  const pss = { idle: 0, peak: 0 };
  const sample = () => {
    for (const [role, pid] of roles) {
      const r = rss.get(role);
      if (r) r.peak = Math.max(r.peak, rssMiB(pid));
    }
    pss.peak = Math.max(pss.peak, descendantsPssMiB());
  };
  const sampler = setInterval(sample, 250);

  await closedLoop(GATEWAY, 4, 3000); // warm-up: JIT, connection pools, topic metadata
  await Bun.sleep(5000); // let the warm-up's messages, exports and timers settle
  const before = meter.read();
  await Bun.sleep(IDLE_MS);
  const idleSpent = meter.since(before);
  const idleMsPerMinute = new Map([...idleSpent].map(([who, ms]) => [who, (ms * 60_000) / IDLE_MS]));
  for (const [role, pid] of roles) {
    const r = rss.get(role);
    if (r) ({ rss: r.idle, anon: r.anon, pss: r.pss } = memoryMiB(pid));
  }
  pss.idle = descendantsPssMiB();

  const phases = new Map<string, Phase>();
  for (const rate of RATES) phases.set(`${rate}/s`, await phase(meter, () => openLoop(GATEWAY, rate, RATE_MS)));
  phases.set("saturation", await phase(meter, () => closedLoop(GATEWAY, CONCURRENCY, SATURATION_MS)));
  const drained = await drain();

  clearInterval(sampler);
  sample();
  const processes = started.map((s) => s.process);
  for (const child of processes) child.kill("SIGTERM");
  await Promise.all(processes.map((c) => c.exited));
  return { label, rss, idleMsPerMinute, phases, drain: drained, pss };
}

const peers = await startPeers();
const collector = pidOf(cachePaths().collector.binary);
console.log(
  `o11y-lab bench: ${COMMAND.join(" ")}; idle ${IDLE_MS / 1000} s, open loop ${RATES.join(", ")} req/s for ` +
    `${RATE_MS / 1000} s each, saturation ${CONCURRENCY} clients for ${SATURATION_MS / 1000} s; ` +
    `${navigator.hardwareConcurrency} cores`,
);
const on = await measure("telemetry on", {}, peers, collector);
const off = await measure("OTEL_SDK_DISABLED=true", { OTEL_SDK_DISABLED: "true" }, peers, collector);
await Promise.all(Object.values(peers).map((peer) => peer.stop()));

// One table: a row per role and figure, telemetry on, off, and their ratio.
const fmt = (n: number | undefined, digits = 2) => (n === undefined ? "-" : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? "-" : `${(a / b).toFixed(2)}×`;
const lines: string[][] = [["", "figure", on.label, off.label, "on/off"]];
/** A row; its first cell is left blank when it names the same thing as the row above. */
const add = (who: string, figure: string, a: string, b: string, r = "") => {
  const above = lines.findLast((l) => l[0] !== "")?.[0];
  lines.push([who === above ? "" : who, figure, a, b, r]);
};
const everyone: Who[] = [...ROLES.map((r) => r.name), "collector"];
for (const w of everyone) {
  if (w !== "collector") {
    const [a, b] = [on.rss.get(w), off.rss.get(w)];
    const cell = (r: typeof a) => (r ? `${fmt(r.start, 0)} / ${fmt(r.idle, 0)} / ${fmt(r.peak, 0)}` : "-");
    add(w, "RSS MiB start / warm idle / peak", cell(a), cell(b), ratio(a?.idle, b?.idle));
    const own = (r: typeof a) => (r ? `${fmt(r.anon, 0)} / ${fmt(r.pss, 0)}` : "-");
    add(w, "warm idle MiB: anonymous / PSS", own(a), own(b), ratio(a?.pss, b?.pss));
  }
  const [ia, ib] = [on.idleMsPerMinute.get(w), off.idleMsPerMinute.get(w)];
  add(w, "idle CPU ms/min", fmt(ia, 0), fmt(ib, 0), ratio(ia, ib));
  for (const key of on.phases.keys()) {
    const [pa, pb] = [on.phases.get(key)?.cpuPerRequest.get(w), off.phases.get(key)?.cpuPerRequest.get(w)];
    add(w, `CPU ms/request @ ${key}`, fmt(pa), fmt(pb), ratio(pa, pb));
  }
}
const rolesTotal = (run: Run, key: string) =>
  ROLES.reduce((sum, r) => sum + (run.phases.get(key)?.cpuPerRequest.get(r.name) ?? 0), 0);
for (const key of on.phases.keys()) {
  const [a, b] = [rolesTotal(on, key), rolesTotal(off, key)];
  add("all five roles", `CPU ms/request @ ${key}`, fmt(a), fmt(b), ratio(a, b));
}
for (const [key, p] of on.phases) {
  const q = off.phases.get(key);
  const cell = (x: Phase | undefined) =>
    x
      ? `${fmt(x.load.rps, 1)} req/s, p50 ${fmt(x.load.p50, 0)} p99 ${fmt(x.load.p99, 0)} ms, ${x.load.errors} err`
      : "-";
  add(
    "lab (wall clock: noisy)",
    `@ ${key}`,
    cell(p),
    cell(q),
    key === "saturation" ? ratio(p.load.rps, q?.load.rps) : "",
  );
}
add("service-c", "drain", on.drain, off.drain);
add(
  "roles + peers (PSS)",
  "MiB warm idle / peak",
  `${fmt(on.pss.idle, 0)} / ${fmt(on.pss.peak, 0)}`,
  `${fmt(off.pss.idle, 0)} / ${fmt(off.pss.peak, 0)}`,
);

const widths = (lines[0] ?? []).map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
for (const line of lines)
  console.log(
    line
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
console.log(
  "\nCPU figures are the processes' own (utime+stime), comparable on a busy machine; req/s and latencies are wall " +
    "clock and move with whatever else the cores run. Saturation's throughput is bounded by the simulated work " +
    "(service-d sleeps 100-500 ms) unless the clients outrun the CPU, so telemetry's cost is the on/off ratio of all " +
    "five roles' CPU per request at saturation, which is what throughput loses once the cores are the limit; the collector's CPU is listed apart (it is not the services' cost). RSS includes the " +
    "Bun executable's pages, which the five roles share (one binary): anonymous memory is each role's own.",
);
process.exit(0);
