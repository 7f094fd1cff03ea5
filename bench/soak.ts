/**
 * `bun run soak`: the hardening battery against the real peers, printed as one table. Open-loop traffic
 * through the gateway (SOAK_RPS, default 20/s) runs the whole time while, one after another: malformed
 * requests hit every role, Postgres is stopped, the broker is frozen and restarted, the collector is
 * stopped, service-c is killed and restarted (SIGKILL, then SIGTERM), the gateway gets SIGTERM mid-burst,
 * and 64 closed-loop clients push. Counts every answer by status, every 5xx, each role's RSS peak, the
 * messages acknowledged / consumed / duplicated (from service-c's CONSUMER spans) and how long each
 * outage took to heal. Needs `bash test/setup/install.sh` once.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { Kafka } from "kafkajs";
import { CONSUMER_GROUP, TOPIC } from "../src/kafka.ts";
import { ROLES, type RoleName } from "../src/roles.ts";
import { ROLE_PORTS, type RoleProcess, spawnRole, startPeers } from "../test/e2e/lab.ts";
import { pollUntil } from "../test/e2e/peers.ts";

const RPS = Number(process.env.SOAK_RPS ?? 20);
const OUTAGE_MS = Number(process.env.SOAK_OUTAGE_SECONDS ?? 10) * 1000;
const CONSUMER = 5;

const peers = await startPeers();
const url = (role: RoleName, path: string) => `http://127.0.0.1:${ROLE_PORTS[role]}${path}`;
const roles = new Map<RoleName, RoleProcess>();
const rssPeak = new Map<RoleName, number>();
const statuses = new Map<string, number>();
const fiveHundreds = new Map<string, number>();
const acknowledged = new Set<string>();
const recovery: [string, string][] = [];

function count(phase: string, status: number, path: string, body = ""): void {
  const key = status === 0 ? "no answer" : String(status);
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
  if (status >= 500 || status === 0) {
    // The reason without what varies per request (ids, durations), so like answers add up.
    const reason = (/"error":"([^"]*)"/.exec(body)?.[1] ?? "").replace(/[0-9a-f-]{36}|\b\d+\b/g, "N").slice(0, 70);
    const where = `${phase}: ${key} ${path}${reason ? ` (${reason})` : ""}`;
    fiveHundreds.set(where, (fiveHundreds.get(where) ?? 0) + 1);
  }
}

let phase = "start";
async function get(role: RoleName, path: string): Promise<number> {
  const response = await fetch(url(role, path)).catch(() => undefined);
  const body = response ? await response.text() : "";
  const status = response?.status ?? 0;
  count(phase, status, path, body);
  if (status === 200 && path === "/api/process") {
    // The gateway wraps service-a's answer, whose data carries service-b's acknowledgement.
    const id = (JSON.parse(body) as { data?: { data?: { service_b?: { id?: string } } } }).data?.data?.service_b?.id;
    if (id) acknowledged.add(id);
  }
  return status;
}

await Promise.all(ROLES.map(async (r) => roles.set(r.name, await spawnRole(r.name, peers, {}, `soak-${r.name}.log`))));
const sampler = setInterval(() => {
  for (const [role, { process: child }] of roles) {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0);
      rssPeak.set(role, Math.max(rssPeak.get(role) ?? 0, kb / 1024));
    } catch {} // between a kill and its restart
  }
}, 250);

/** Seconds from `since` until the gateway answers 200 again. */
async function healed(what: string, since: number): Promise<void> {
  await pollUntil(`${what} to heal`, async () => (await get("api-gateway", "/api/process")) === 200, {
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  recovery.push([what, `${((performance.now() - since) / 1000).toFixed(1)} s`]);
}

function raw(port: number, request: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk;
    });
    socket.on("end", () => resolve(Number(/^HTTP\/1\.\d (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.on("error", () => resolve(0));
    socket.write(request);
  });
}

async function malformed(): Promise<void> {
  phase = "malformed";
  const big = "[".repeat(10 * 1024 * 1024);
  const nested = `${"[".repeat(30_000)}${"]".repeat(30_000)}`;
  for (const role of ROLES) {
    const port = ROLE_PORTS[role.name];
    for (const host of ["a b", "[::1", "127.0.0.1:99999", "x"]) {
      count(
        phase,
        await raw(port, `GET /admin/info HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
        "bad host",
      );
    }
    count(phase, await raw(port, "GET /info HTTP/1.0\r\n\r\n"), "no host");
    for (const [body, type] of [
      [big, "application/json"],
      [nested, "application/json"],
      ['{"latency_ms":1}', "text/plain"],
      ['{"__proto__":{"latency_ms":1}}', "application/json"],
      ['{"error_status":"503"}', "application/json"],
    ] as const) {
      for (const path of ["/admin/faults", "/enqueue"]) {
        const method = path === "/enqueue" ? "POST" : "PUT";
        const response = await fetch(url(role.name, path), { method, body, headers: { "content-type": type } });
        await response.arrayBuffer();
        count(phase, response.status, path);
      }
    }
  }
}

async function outage(what: string, begin: () => Promise<void> | void, end: () => Promise<void> | void) {
  phase = what;
  await begin();
  await Bun.sleep(OUTAGE_MS);
  await end();
  await healed(what, performance.now());
}

type CStats = { messages_processed: number; messages_redelivered: number; lag: number | null };
const cStats = async () => (await (await fetch(url("service-c", "/stats"))).json()) as CStats;
/** service-c's count of skipped redeliveries dies with each process: summed over its lifetimes. */
let redelivered = 0;
async function endOfLife(): Promise<void> {
  redelivered += (await cStats()).messages_redelivered;
}

async function restartServiceC(signal: "SIGKILL" | "SIGTERM"): Promise<void> {
  phase = `service-c ${signal}`;
  const child = roles.get("service-c")?.process;
  await endOfLife();
  child?.kill(signal);
  await child?.exited;
  const since = performance.now();
  roles.set("service-c", await spawnRole("service-c", peers, {}, "soak-service-c.log"));
  await pollUntil("service-c to consume again", async () => (await cStats()).messages_processed > 0, {
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  recovery.push([`service-c ${signal} → consuming`, `${((performance.now() - since) / 1000).toFixed(1)} s`]);
}

async function gatewayMidBurst(): Promise<void> {
  phase = "gateway SIGTERM mid-burst";
  const burst = Array.from({ length: 20 }, () => get("api-gateway", "/api/process"));
  await Bun.sleep(50);
  const child = roles.get("api-gateway")?.process;
  child?.kill("SIGTERM");
  const answered = (await Promise.all(burst)).filter((status) => status === 200).length;
  recovery.push(["gateway burst in flight at SIGTERM, answered 200", `${answered}/${burst.length}`]);
  await child?.exited;
  const since = performance.now();
  roles.set("api-gateway", await spawnRole("api-gateway", peers, {}, "soak-api-gateway.log"));
  recovery.push(["gateway restart → ready", `${((performance.now() - since) / 1000).toFixed(1)} s`]);
}

async function closedLoop(clients: number, ms: number): Promise<void> {
  phase = `${clients} closed-loop clients`;
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) await get("api-gateway", "/api/process");
    }),
  );
}

const admin = new Kafka({ brokers: peers.kafka.brokers, logLevel: 0 }).admin();
/** Messages on the topic (high watermarks) and committed by service-c's group, from the broker. */
const offsets = async () => {
  await admin.connect();
  const [high, committed] = await Promise.all([
    admin.fetchTopicOffsets(TOPIC),
    admin.fetchOffsets({ groupId: CONSUMER_GROUP, topics: [TOPIC] }),
  ]);
  const sum = (values: string[]) => values.reduce((total, v) => total + Math.max(0, Number(v)), 0);
  return {
    published: sum(high.map((p) => p.high)),
    committed: sum(committed[0]?.partitions.map((p) => p.offset) ?? []),
  };
};
await pollUntil("service-c to drain what the start-up produced", async () => (await cStats()).lag === 0, {
  timeoutMs: 60_000,
});
const before = await offsets();
// Open-loop background traffic: a request every 1/RPS s whatever the answers do.
let traffic = true;
const background = (async () => {
  const pending: Promise<number>[] = [];
  while (traffic) {
    pending.push(get("api-gateway", "/api/process"));
    await Bun.sleep(1000 / RPS);
  }
  await Promise.all(pending);
})();
await malformed();
await outage(
  "postgres stopped",
  () => peers.postgres.stop(),
  () => peers.postgres.start(),
);
await outage(
  "kafka frozen",
  () => peers.kafka.pause(),
  () => peers.kafka.resume(),
);
await outage(
  "kafka restarted",
  () => peers.kafka.stop(),
  () => peers.kafka.start(),
);
await outage(
  "collector stopped",
  () => peers.collector.stop(),
  () => peers.collector.start(),
);
await restartServiceC("SIGKILL");
await restartServiceC("SIGTERM");
await gatewayMidBurst();
await closedLoop(64, 15_000);
phase = "settle";
await Bun.sleep(5000);
traffic = false;
await background;

await pollUntil("service-c to drain", async () => (await cStats()).lag === 0, { timeoutMs: 120_000, intervalMs: 500 });
await endOfLife();
const after = await offsets();
await admin.disconnect();
clearInterval(sampler);
const published = after.published - before.published;
const consumed = after.committed - before.committed;
// Twice unnoticed, as service-c's own CONSUMER spans tell it (spans lost while the collector was down are not seen).
await Bun.sleep(5000);
const spansPerId = new Map<string, number>();
for (const s of peers.sink.spans()) {
  if (s.span.kind !== CONSUMER || (s.span.events ?? []).some((e) => e.name === "redelivery skipped")) continue;
  const id = String(s.attributes["messaging.message.id"]);
  spansPerId.set(id, (spansPerId.get(id) ?? 0) + 1);
}
const twiceInSpans = [...spansPerId.values()].filter((n) => n > 1).length;

const rows: [string, string][] = [
  ...[...statuses].sort().map(([status, n]): [string, string] => [`HTTP ${status}`, String(n)]),
  ...[...fiveHundreds].map(([where, n]): [string, string] => [`  5xx/none in ${where}`, String(n)]),
  ...ROLES.map((r): [string, string] => [`RSS peak ${r.name}`, `${(rssPeak.get(r.name) ?? 0).toFixed(0)} MiB`]),
  ["messages published on the topic", String(published)],
  ["  acknowledged (a 200 from /api/process)", String(acknowledged.size)],
  ["  published although answered with an error", String(published - acknowledged.size)],
  ["messages consumed (committed by service-c's group)", String(consumed)],
  ["  redeliveries noticed and skipped", String(redelivered)],
  ["  processed twice unnoticed (CONSUMER spans)", String(twiceInSpans)],
  ["lag at the end (from the broker)", String(after.published - after.committed)],
  ...recovery.map(([what, time]): [string, string] => [`recovery: ${what}`, time]),
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\no11y-lab soak: ${RPS} req/s background, ${OUTAGE_MS / 1000} s outages\n`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);

for (const { process: child } of roles.values()) child.kill("SIGTERM");
await Promise.all([...roles.values()].map((r) => r.process.exited));
await Promise.all(Object.values(peers).map((peer) => peer.stop()));
process.exit(0);
