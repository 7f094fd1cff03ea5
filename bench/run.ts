/**
 * `bun run bench`: throughput, latency and memory of the lab's services on this machine, printed as a
 * table. Runs /api/process through all five roles against the real peers (Postgres, Kafka, the
 * collector), once with telemetry on and once with OTEL_SDK_DISABLED=true, plus a bare Bun.serve
 * hello-world as the machine's ceiling. Needs `bash test/setup/install.sh` once.
 */
import { readdirSync, readFileSync } from "node:fs";
import { ROLES } from "../src/roles.ts";
import { type Peers, ROLE_PORTS, type RoleProcess, spawnRole, startPeers } from "../test/e2e/lab.ts";
import { pollUntil } from "../test/e2e/peers.ts";

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

/** A closed-loop load: CONCURRENCY workers, each sending its next request when the last one answered. */
async function load(url: string, durationMs = DURATION_MS): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await fetch(url).catch(() => undefined);
      await response?.arrayBuffer();
      if (!response?.ok) errors++;
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/**
 * Memory of every process this bench started (the roles and the peers: Postgres and its backends, Kafka, the
 * collector), as proportional set size: pages they share (Postgres' shared buffers) are counted once, not per process.
 */
function descendantsPssMiB(pid = process.pid): number {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
  );
  return children.reduce((sum, child) => {
    try {
      const pss = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${child}/smaps_rollup`, "utf8"))?.[1] ?? 0);
      return sum + pss / 1024 + descendantsPssMiB(child);
    } catch {
      return sum; // exited while we looked
    }
  }, 0);
}

async function startRoles(env: Record<string, string>, peers: Peers) {
  const started = await Promise.all(ROLES.map((r) => spawnRole(r.name, peers, env, `bench-${r.name}.log`)));
  return new Map(ROLES.map((r, i) => [r.name, (started[i] as RoleProcess).process]));
}

async function measureLab(label: string, env: Record<string, string>, peers: Peers) {
  const children = await startRoles(env, peers);
  const gateway = `http://127.0.0.1:${ROLE_PORTS["api-gateway"]}/api/process`;
  await load(gateway, 2000); // warm-up: JIT, connection pools, topic metadata
  await Bun.sleep(3000);
  const idle = new Map([...children].map(([role, child]) => [role, rssMiB(child.pid)]));
  const peak = new Map(idle);
  const all = { idle: descendantsPssMiB(), peak: 0 };
  const sampler = setInterval(() => {
    for (const [role, child] of children) peak.set(role, Math.max(peak.get(role) ?? 0, rssMiB(child.pid)));
    all.peak = Math.max(all.peak, descendantsPssMiB());
  }, 250);
  const result = await load(gateway);
  clearInterval(sampler);
  for (const child of children.values()) child.kill("SIGTERM");
  await Promise.all([...children.values()].map((c) => c.exited));
  return { label, result, idle, peak, all };
}

async function measureCeiling(): Promise<LoadResult> {
  const port = 28999;
  const child = Bun.spawn([
    process.execPath,
    "-e",
    `Bun.serve({ hostname: "127.0.0.1", port: ${port}, fetch: () => new Response("hello") })`,
  ]);
  await pollUntil("hello-world", async () => (await fetch(`http://127.0.0.1:${port}`).catch(() => undefined))?.ok);
  const result = await load(`http://127.0.0.1:${port}`);
  child.kill();
  await child.exited;
  return result;
}

const peers = await startPeers();

console.log(
  `o11y-lab bench: ${CONCURRENCY} concurrent clients, ${DURATION_MS / 1000} s per run, ${navigator.hardwareConcurrency} cores`,
);
const runs = [
  await measureLab("telemetry on", {}, peers),
  await measureLab("OTEL_SDK_DISABLED=true", { OTEL_SDK_DISABLED: "true" }, peers),
];
const ceiling = await measureCeiling();

const row = (label: string, r: LoadResult) =>
  `${label.padEnd(32)} ${r.rps.toFixed(1).padStart(9)} ${r.p50.toFixed(1).padStart(9)} ${r.p99.toFixed(1).padStart(9)} ${String(r.errors).padStart(7)}`;
console.log(
  `\n${"GET /api/process".padEnd(32)} ${"req/s".padStart(9)} ${"p50 ms".padStart(9)} ${"p99 ms".padStart(9)} ${"errors".padStart(7)}`,
);
for (const run of runs) console.log(row(run.label, run.result));
console.log(row("bare Bun.serve hello-world", ceiling));

console.log(`\n${"RSS MiB (idle / under load)".padEnd(32)} ${runs.map((r) => r.label.padStart(24)).join(" ")}`);
for (const role of ROLES) {
  const cells = runs.map((r) =>
    `${(r.idle.get(role.name) ?? 0).toFixed(0)} / ${(r.peak.get(role.name) ?? 0).toFixed(0)}`.padStart(24),
  );
  console.log(`${role.name.padEnd(32)} ${cells.join(" ")}`);
}
const all = (r: (typeof runs)[number]) => `${r.all.idle.toFixed(0)} / ${r.all.peak.toFixed(0)}`.padStart(24);
console.log(`${"all (roles + peers, PSS)".padEnd(32)} ${runs.map(all).join(" ")}`);
await Promise.all(Object.values(peers).map((peer) => peer.stop()));
process.exit(0);
