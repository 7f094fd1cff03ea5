/**
 * The lab, for real, on 127.0.0.1: the peers of peers.ts plus the five roles run by `serve`, wired
 * to them exactly as compose wires the containers, with a little traffic already through. Started
 * once per test process and shared by every e2e file.
 */
import { readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ROLES, type RoleName } from "../../src/roles.ts";
import {
  adopt,
  type CollectorPeer,
  type KafkaPeer,
  type PostgresPeer,
  type PrometheusPeer,
  pollUntil,
  REPO_ROOT,
  runDir,
  type Sink,
  startCollector,
  startKafka,
  startPostgres,
  startPrometheus,
  startSink,
  startThirdParty,
  type ThirdPartyPeer,
  tail,
} from "./peers.ts";
import { acquire } from "./run-lock.ts";

/** setpriv execs the role in place (same pid) and has the kernel kill it if the test process dies. */
export const DIE_WITH_PARENT = ["setpriv", "--pdeathsig", "KILL", "--"];

/** Test ports of the roles: the compose ports + 20000, so a lab running on this machine is not disturbed. */
export const ROLE_PORTS = Object.fromEntries(ROLES.map((r) => [r.name, r.port + 20000])) as Record<RoleName, number>;

export interface RoleProcess {
  process: Subprocess;
  log: string;
}

/** The real peers the roles talk to. */
export interface Peers {
  postgres: PostgresPeer;
  kafka: KafkaPeer;
  sink: Sink;
  collector: CollectorPeer;
  thirdParty: ThirdPartyPeer;
}

export interface Lab {
  postgres: PostgresPeer;
  kafka: KafkaPeer;
  sink: Sink;
  collector: CollectorPeer;
  prometheus: PrometheusPeer;
  thirdParty: ThirdPartyPeer;
  gatewayUrl: string;
  roleUrl(role: string): string;
  /** The running process of a role. */
  role(role: RoleName): RoleProcess;
  /** Starts a role (again) and waits until it is ready. */
  startRole(role: RoleName, env?: Record<string, string>): Promise<RoleProcess>;
  /** GETs a path on the gateway and returns status and JSON body. */
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** The environment a role gets in tests: compose's wiring, pointed at the peers. */
export function roleEnv(role: RoleName, peers: Peers) {
  const url = (r: RoleName) => `http://127.0.0.1:${ROLE_PORTS[r]}`;
  return {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(ROLE_PORTS[role]),
    SERVICE_A_URL: url("service-a"),
    SERVICE_B_URL: url("service-b"),
    SERVICE_D_URL: url("service-d"),
    THIRD_PARTY_URL: `${peers.thirdParty.url}/zen`,
    DATABASE_URL: peers.postgres.url,
    KAFKA_BROKERS: peers.kafka.brokers.join(","),
    OTEL_EXPORTER_OTLP_ENDPOINT: peers.collector.otlpHttpUrl,
    // Short intervals so the suite sees telemetry within seconds, not minutes.
    OTEL_METRIC_EXPORT_INTERVAL: "2000",
    OTEL_BSP_SCHEDULE_DELAY: "200",
    OTEL_BLRP_SCHEDULE_DELAY: "200",
  };
}

let started: Promise<Lab> | undefined;

/** The shared lab: started on first call, stopped when the test process exits. */
export function lab(): Promise<Lab> {
  started ??= startLab();
  return started;
}

/**
 * The peers listen on fixed ports, so two e2e runs in one network namespace must not overlap: the second waits for
 * the first. The lock is an flock the kernel drops when its run dies, however it dies.
 */
async function exclusive(): Promise<void> {
  // Per network namespace: runs under `unshare --net` have ports of their own and need not wait.
  const netns = readlinkSync("/proc/self/ns/net").replace(/\D/g, "");
  const path = join(tmpdir(), `o11y-lab-lab-${netns}.lock`);
  await acquire(path, { onWait: () => console.log(`waiting for the other e2e run on this machine (${path})`) });
}

/**
 * The peers the roles need, started together (Prometheus is the tests' own addition). The sink stands in for Tempo
 * and Loki.
 */
export async function startPeers(): Promise<Peers> {
  const [postgres, kafka, thirdParty, sink] = await Promise.all([
    startPostgres(),
    startKafka(),
    startThirdParty(),
    startSink(),
  ]);
  const collector = await startCollector({ sinkUrl: sink.url });
  return { postgres, kafka, sink, thirdParty, collector };
}

/** How the roles run in tests: Bun on the source. The bench can run a compiled binary instead. */
export const FROM_SOURCE = [process.execPath, join(REPO_ROOT, "src/index.ts")];

/** Runs `serve <role>` wired to the peers and resolves once its /ready answers 200. */
export async function spawnRole(
  role: RoleName,
  peers: Peers,
  extra: Record<string, string | undefined> = {},
  logName = `${role}.log`,
  command = FROM_SOURCE,
): Promise<RoleProcess> {
  const log = join(runDir(), logName);
  const child = Bun.spawn([...DIE_WITH_PARENT, ...command, "serve", role], {
    env: { ...roleEnv(role, peers), ...extra },
    stdout: Bun.file(log),
    stderr: "inherit",
  });
  adopt(child);
  const url = `http://127.0.0.1:${ROLE_PORTS[role]}/ready`;
  await pollUntil(`${role} ready at ${url}`, async () => (await fetch(url).catch(() => undefined))?.ok, {
    timeoutMs: 60_000,
    detail: () => tail(log),
  });
  return { process: child, log };
}

async function startLab(): Promise<Lab> {
  await exclusive();
  const peers = await startPeers();
  const prometheus = await startPrometheus();
  const { postgres, kafka, sink, thirdParty, collector } = peers;
  const processes = new Map<RoleName, RoleProcess>();

  async function startRole(role: RoleName, extra: Record<string, string> = {}): Promise<RoleProcess> {
    const handle = await spawnRole(role, peers, extra);
    processes.set(role, handle);
    return handle;
  }

  await Promise.all(ROLES.map((r) => startRole(r.name)));

  const gatewayUrl = `http://127.0.0.1:${ROLE_PORTS["api-gateway"]}`;
  const get = async (path: string) => {
    const response = await fetch(`${gatewayUrl}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  // A little traffic through every role, so metrics exist before any test looks.
  for (let i = 0; i < 5; i++) await get("/api/process");
  for (const role of ROLES) await fetch(`http://127.0.0.1:${ROLE_PORTS[role.name]}/info`);
  await fetch(`http://127.0.0.1:${ROLE_PORTS["service-c"]}/stats`);

  return {
    postgres,
    kafka,
    sink,
    collector,
    prometheus,
    thirdParty,
    gatewayUrl,
    roleUrl: (role) => `http://127.0.0.1:${ROLE_PORTS[role as RoleName]}`,
    role: (role) => {
      const handle = processes.get(role);
      if (!handle) throw new Error(`${role} is not running`);
      return handle;
    },
    startRole,
    get,
  };
}
