/**
 * Real peers for the e2e suite, run as child processes (no containers): PostgreSQL,
 * a Kafka broker (KRaft), the OpenTelemetry Collector (running the stack's own
 * stack/otel-collector/config.yaml), Prometheus (running a copy of
 * stack/prometheus/prometheus.yml with only the targets' host:port rewritten), an
 * OTLP/HTTP JSON sink standing in for Tempo and Loki (both AGPL, never built here:
 * what Loki makes of the records is checked with src/stack/loki-otlp.ts), and a
 * stand-in for the third-party HTTP API.
 *
 * Everything listens on 127.0.0.1 only, on fixed ports (see {@link PORTS}); data
 * dirs live in one fresh temp dir per test process ({@link runDir}), removed by
 * {@link cleanUp} (the e2e preload's afterAll) or, if the run was killed, by the next
 * run. Every child is started through `setpriv --pdeathsig KILL`, so it dies with the
 * test process even if that one is SIGKILLed, and is also killed on `stop()`.
 *
 * Binaries come from `bash test/setup/install.sh` (see {@link cachePaths}).
 */

import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import postgres from "postgres";
import { ownedRunDir } from "./run-lock.ts";

const PORT_OFFSET = Number(process.env.O11Y_LAB_E2E_PORT_OFFSET ?? "0");
if (!Number.isInteger(PORT_OFFSET) || PORT_OFFSET < 0 || PORT_OFFSET > 5000) {
  throw new Error(
    `O11Y_LAB_E2E_PORT_OFFSET must be an integer in 0..5000, got ${process.env.O11Y_LAB_E2E_PORT_OFFSET}`,
  );
}

/**
 * Loopback ports of the test peers. Fixed, plus O11Y_LAB_E2E_PORT_OFFSET (default 0)
 * so that two suites can run side by side on one machine.
 */
export const PORTS = {
  postgres: 55432 + PORT_OFFSET,
  kafka: 59092 + PORT_OFFSET,
  kafkaController: 59093 + PORT_OFFSET,
  otlpGrpc: 54317 + PORT_OFFSET,
  otlpHttp: 54318 + PORT_OFFSET,
  sink: 54319 + PORT_OFFSET,
  thirdParty: 54320 + PORT_OFFSET,
  collectorHealth: 53133 + PORT_OFFSET,
  collectorPrometheus: 58889 + PORT_OFFSET,
  collectorMetrics: 58888 + PORT_OFFSET,
  prometheus: 59090 + PORT_OFFSET,
} as const;

const HOST = "127.0.0.1";
/** Repository root (this file is test/e2e/peers.ts). */
export const REPO_ROOT = resolve(import.meta.dir, "../..");
const COLLECTOR_CONFIG = join(REPO_ROOT, "stack/otel-collector/config.yaml");
const COLLECTOR_MANIFEST = join(REPO_ROOT, "stack/otel-collector/builder.yaml");
const PROMETHEUS_CONFIG = join(REPO_ROOT, "stack/prometheus/prometheus.yml");
const INSTALL_HINT = "run bash test/setup/install.sh";

// ---------------------------------------------------------------------------
// Installed binaries
// ---------------------------------------------------------------------------

/** Where test/setup/*.sh cache what they install: `${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}`. */
export const CACHE_DIR = process.env.O11Y_LAB_CACHE ?? join(homedir(), ".cache/o11y-lab");

/** What test/setup/install.sh installed, read from `$O11Y_LAB_CACHE/peers.json`. */
export interface PeerPaths {
  cacheDir: string;
  postgres: { bindir: string; runAs: string };
  kafka: { version: string; libs: string; log4j2: string };
  collector: { version: string; binary: string; builderHash: string };
  prometheus: { version: string; binary: string; promtool: string };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const key of path.split(".")) cur = isRecord(cur) ? cur[key] : undefined;
  if (typeof cur !== "string") throw new Error(`peers.json: missing ${path} (${INSTALL_HINT})`);
  return cur;
}

/**
 * Locates the peers installed by test/setup/install.sh (cache dir
 * `${O11Y_LAB_CACHE:-$HOME/.cache/o11y-lab}`). Throws an Error saying
 * "run bash test/setup/install.sh" when anything is missing or when the collector
 * was built from an older stack/otel-collector/builder.yaml.
 */
export function cachePaths(): PeerPaths {
  const cacheDir = CACHE_DIR;
  const manifest = join(cacheDir, "peers.json");
  if (!existsSync(manifest)) throw new Error(`e2e peers are not installed (${manifest} missing): ${INSTALL_HINT}`);
  const raw: unknown = JSON.parse(readFileSync(manifest, "utf8"));
  const paths: PeerPaths = {
    cacheDir,
    postgres: { bindir: str(raw, "postgres.bindir"), runAs: str(raw, "postgres.runAs") },
    kafka: { version: str(raw, "kafka.version"), libs: str(raw, "kafka.libs"), log4j2: str(raw, "kafka.log4j2") },
    collector: {
      version: str(raw, "collector.version"),
      binary: str(raw, "collector.binary"),
      builderHash: str(raw, "collector.builderHash"),
    },
    prometheus: {
      version: str(raw, "prometheus.version"),
      binary: str(raw, "prometheus.binary"),
      promtool: str(raw, "prometheus.promtool"),
    },
  };
  const required = [
    join(paths.postgres.bindir, "initdb"),
    join(paths.postgres.bindir, "postgres"),
    join(paths.kafka.libs, `kafka_2.13-${paths.kafka.version}.jar`),
    paths.kafka.log4j2,
    paths.collector.binary,
    paths.prometheus.binary,
    paths.prometheus.promtool,
  ];
  for (const file of required) {
    if (!existsSync(file)) throw new Error(`e2e peer file missing: ${file}: ${INSTALL_HINT}`);
  }
  const hash = new Bun.CryptoHasher("sha256").update(readFileSync(COLLECTOR_MANIFEST)).digest("hex").slice(0, 16);
  if (hash !== paths.collector.builderHash) {
    throw new Error(`the cached collector was built from another ${COLLECTOR_MANIFEST}: ${INSTALL_HINT}`);
  }
  return paths;
}

// ---------------------------------------------------------------------------
// Run dir, child processes, readiness
// ---------------------------------------------------------------------------

let run: ReturnType<typeof ownedRunDir> | undefined;

/**
 * The fresh temp dir of this test process (created on first use, mode 0755 so the
 * `postgres` user can reach its data dir when tests run as root). Kept after
 * {@link cleanUp} with O11Y_LAB_KEEP_RUN_DIR=1.
 */
export function runDir(): string {
  if (run === undefined) {
    run = ownedRunDir();
    chmodSync(run.dir, 0o755);
  }
  return run.dir;
}

const children = new Set<Subprocess>();

function killAllChildren(): void {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
}

/** Has {@link cleanUp} kill a process started elsewhere (the roles), like the peers. */
export function adopt(child: Subprocess): void {
  children.add(child);
}

/** Kills every peer still running and removes the run dir: the end of an e2e run. */
export function cleanUp(): void {
  killAllChildren();
  if (run === undefined || process.env.O11Y_LAB_KEEP_RUN_DIR === "1") return;
  run.lock.release();
  rmSync(run.dir, { recursive: true, force: true });
  run = undefined;
}

let signalHooksInstalled = false;
function installSignalHooks(): void {
  if (signalHooksInstalled) return;
  signalHooksInstalled = true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(130);
    });
  }
}

/** Last `lines` lines of a log file (for error messages). */
export function tail(path: string, lines = 40): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** A child process whose stdout+stderr are appended to `log`. */
class Child {
  private proc: Subprocess | undefined;
  constructor(
    readonly name: string,
    readonly log: string,
  ) {}

  /** Starts `cmd` (run through setpriv so it dies with us; optionally as `runAs`). */
  spawn(cmd: string[], opts: { env?: Record<string, string>; cwd?: string; runAs?: string } = {}): void {
    installSignalHooks();
    if (this.running) throw new Error(`${this.name} is already running`);
    const setpriv = ["setpriv", "--pdeathsig", "KILL"];
    if (opts.runAs) setpriv.push("--reuid", opts.runAs, "--regid", opts.runAs, "--init-groups");
    const fd = openSync(this.log, "a");
    try {
      const proc = Bun.spawn([...setpriv, "--", ...cmd], {
        cwd: opts.cwd ?? runDir(),
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: process.env.HOME ?? "/tmp",
          LANG: "C.UTF-8",
          ...opts.env,
        },
        stdin: "ignore",
        stdout: fd,
        stderr: fd,
      });
      this.proc = proc;
      children.add(proc);
      void proc.exited.then(() => children.delete(proc));
    } finally {
      closeSync(fd);
    }
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Fails with the log tail if the process has exited. */
  assertRunning(): void {
    if (this.proc !== undefined && !this.running) {
      throw new Error(
        `${this.name} exited (code ${this.proc.exitCode}, signal ${this.proc.signalCode}); log ${this.log}:\n${tail(this.log)}`,
      );
    }
  }

  /** Sends a signal without waiting (SIGSTOP/SIGCONT freeze and thaw the peer). */
  signal(signal: NodeJS.Signals): void {
    this.proc?.kill(signal);
  }

  /** Sends `signal`, waits up to `graceMs`, then SIGKILLs. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 15_000): Promise<void> {
    const proc = this.proc;
    if (proc === undefined) return;
    this.proc = undefined;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await proc.exited;
      clearTimeout(timer);
    }
    children.delete(proc);
  }
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than
 * undefined/false, or throws after `timeoutMs` with `what` and the `detail()` text.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      const detail = opts.detail ? `\n${opts.detail()}` : "";
      throw new Error(`timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${what}${last}${detail}`);
    }
    await Bun.sleep(opts.intervalMs ?? 200);
  }
}

/** A 127.0.0.1 port the kernel just gave out and nothing holds now. */
export async function freePort(): Promise<number> {
  const server = Bun.serve({ hostname: HOST, port: 0, fetch: () => new Response() });
  const port = server.port as number;
  await server.stop(true);
  return port;
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: HOST, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolvePromise(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function assertPortFree(port: number, name: string): Promise<void> {
  if (await portOpen(port)) {
    throw new Error(`${name}: port ${HOST}:${port} is already in use (a leftover peer from another run?)`);
  }
}

function runSync(cmd: string[], log: string, runAs?: string): void {
  const full = runAs ? ["setpriv", "--reuid", runAs, "--regid", runAs, "--init-groups", "--", ...cmd] : cmd;
  const fd = openSync(log, "a");
  try {
    const res = Bun.spawnSync(full, {
      cwd: runDir(),
      stdout: fd,
      stderr: fd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" },
    });
    if (res.exitCode !== 0)
      throw new Error(`${cmd.join(" ")} failed (exit ${res.exitCode}); log ${log}:\n${tail(log)}`);
  } finally {
    closeSync(fd);
  }
}

/** Start/stop handle common to the process peers. */
export interface PeerHandle {
  /** Stops the peer (keeps its data dir). */
  stop(): Promise<void>;
  /** Starts it again on the same data dir and ports; resolves when ready. */
  start(): Promise<void>;
  /** Path of the peer's log file (stdout+stderr of every start). */
  log: string;
}

// ---------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------

/** A running PostgreSQL: {@link startPostgres}. */
export interface PostgresPeer extends PeerHandle {
  /** `postgres://postgres:postgres@127.0.0.1:55432/o11ylab` */
  url: string;
  port: number;
}

/**
 * Starts PostgreSQL on 127.0.0.1:55432 from a fresh `initdb` data dir (fsync off),
 * with database `o11ylab`. Auth: password (scram-sha-256) over TCP for user
 * `postgres` / password `postgres`; the unix socket lives in the run dir. When
 * running as root the server runs as the Debian `postgres` user.
 */
export async function startPostgres(): Promise<PostgresPeer> {
  const paths = cachePaths();
  const port = PORTS.postgres;
  await assertPortFree(port, "postgres");
  const root = join(runDir(), "postgres");
  const data = join(root, "data");
  const log = join(runDir(), "postgres.log");
  mkdirSync(root, { recursive: true });
  const runAs = paths.postgres.runAs || undefined;
  if (runAs) {
    const uid = Number(Bun.spawnSync(["id", "-u", runAs]).stdout.toString().trim());
    const gid = Number(Bun.spawnSync(["id", "-g", runAs]).stdout.toString().trim());
    chownSync(root, uid, gid);
  }
  const pwfile = join(root, "pwfile");
  writeFileSync(pwfile, "postgres\n");
  if (runAs) {
    const st = statSync(root);
    chownSync(pwfile, st.uid, st.gid);
  }
  runSync(
    [
      join(paths.postgres.bindir, "initdb"),
      "-D",
      data,
      "-U",
      "postgres",
      `--pwfile=${pwfile}`,
      "--auth-host=scram-sha-256",
      "--auth-local=trust",
      "-E",
      "UTF8",
      "--no-instructions",
    ],
    log,
    runAs,
  );
  const child = new Child("postgres", log);
  const url = `postgres://postgres:postgres@${HOST}:${port}/o11ylab`;

  const start = async () => {
    child.spawn(
      [
        join(paths.postgres.bindir, "postgres"),
        "-D",
        data,
        "-h",
        HOST,
        "-p",
        String(port),
        "-k",
        root,
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=100",
        "-c",
        "shared_buffers=64MB",
      ],
      runAs ? { runAs } : {},
    );
    await pollUntil(
      "postgres to accept connections",
      async () => {
        child.assertRunning();
        const sql = postgres({
          host: HOST,
          port,
          user: "postgres",
          password: "postgres",
          database: "postgres",
          max: 1,
          connect_timeout: 2,
          onnotice: () => {},
        });
        try {
          await sql`select 1`;
          return true;
        } finally {
          await sql.end({ timeout: 1 });
        }
      },
      { timeoutMs: 30_000, detail: () => `log ${log}:\n${tail(log)}` },
    );
  };
  await start();
  const admin = postgres({
    host: HOST,
    port,
    user: "postgres",
    password: "postgres",
    database: "postgres",
    max: 1,
    onnotice: () => {},
  });
  try {
    await admin.unsafe("create database o11ylab");
  } finally {
    await admin.end({ timeout: 1 });
  }
  // SIGINT = "fast shutdown" (SIGTERM would wait for clients to disconnect).
  return { url, port, log, start, stop: () => child.stop("SIGINT") };
}

// ---------------------------------------------------------------------------
// Kafka
// ---------------------------------------------------------------------------

/** A running Kafka broker: {@link startKafka}. */
export interface KafkaPeer extends PeerHandle {
  /** `["127.0.0.1:59092"]` */
  brokers: string[];
  /** stop() then start(): the log dir (topics, offsets) is kept. */
  restart(): Promise<void>;
  /** Freezes the broker (SIGSTOP), as `docker pause` does: connections stay open, nothing answers. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
}

/**
 * Starts a single-node KRaft Kafka (broker+controller, node id 1) on
 * 127.0.0.1:59092 (controller 59093): formats a fresh log dir, auto-creates
 * topics, replication factor 1 everywhere, no initial rebalance delay.
 */
export async function startKafka(opts: { heap?: string } = {}): Promise<KafkaPeer> {
  const paths = cachePaths();
  await assertPortFree(PORTS.kafka, "kafka");
  await assertPortFree(PORTS.kafkaController, "kafka controller");
  const dir = join(runDir(), "kafka");
  const data = join(dir, "data");
  const log = join(runDir(), "kafka.log");
  mkdirSync(dir, { recursive: true });
  const props = join(dir, "server.properties");
  writeFileSync(
    props,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@${HOST}:${PORTS.kafkaController}`,
      `listeners=PLAINTEXT://${HOST}:${PORTS.kafka},CONTROLLER://${HOST}:${PORTS.kafkaController}`,
      `advertised.listeners=PLAINTEXT://${HOST}:${PORTS.kafka}`,
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      "inter.broker.listener.name=PLAINTEXT",
      `log.dirs=${data}`,
      "num.partitions=1",
      "auto.create.topics.enable=true",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "share.coordinator.state.topic.replication.factor=1",
      "share.coordinator.state.topic.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
      "",
    ].join("\n"),
  );
  const java = (mainClass: string, ...args: string[]) => [
    "java",
    `-Xmx${opts.heap ?? "768m"}`,
    "-Xms256m",
    "-XX:+UseG1GC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${paths.kafka.log4j2}`,
    "-cp",
    `${paths.kafka.libs}/*`,
    mainClass,
    ...args,
  ];
  // Any 16 bytes, base64url without padding, is a valid cluster id.
  // A Kafka cluster id is a base64url UUID; one starting with "-" would be read as a CLI option.
  const clusterId = `A${Buffer.from(crypto.getRandomValues(new Uint8Array(16)))
    .toString("base64url")
    .slice(1)}`;
  runSync(java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props), join(dir, "format.log"));

  const child = new Child("kafka", log);
  const start = async () => {
    const from = existsSync(log) ? statSync(log).size : 0;
    child.spawn(java("kafka.Kafka", props));
    await pollUntil(
      "kafka to start",
      () => {
        child.assertRunning();
        const text = readFileSync(log, "utf8").slice(from);
        return text.includes("Kafka Server started");
      },
      { timeoutMs: 60_000, intervalMs: 250, detail: () => `log ${log}:\n${tail(log)}` },
    );
    await pollUntil("kafka port", () => portOpen(PORTS.kafka), { timeoutMs: 10_000 });
  };
  const stop = () => child.stop("SIGTERM", 30_000);
  await start();
  return {
    brokers: [`${HOST}:${PORTS.kafka}`],
    log,
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    pause: () => child.signal("SIGSTOP"),
    resume: () => child.signal("SIGCONT"),
  };
}

// ---------------------------------------------------------------------------
// OTLP sink (Tempo + Loki stand-in)
// ---------------------------------------------------------------------------

/** OTLP JSON AnyValue. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
/** OTLP JSON KeyValue. */
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
/** OTLP JSON Span (the fields the tests use; the rest is kept as-is). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: OtlpKeyValue[];
  events?: { name: string; timeUnixNano?: string; attributes?: OtlpKeyValue[] }[];
  links?: { traceId: string; spanId: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number; message?: string };
}
/** OTLP JSON LogRecord. */
export interface OtlpLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  traceId?: string;
  spanId?: string;
}
interface OtlpResource {
  attributes?: OtlpKeyValue[];
}
interface OtlpScope {
  name?: string;
  version?: string;
}
/** ExportTraceServiceRequest in OTLP JSON. */
export interface OtlpTracesRequest {
  resourceSpans?: { resource?: OtlpResource; scopeSpans?: { scope?: OtlpScope; spans?: OtlpSpan[] }[] }[];
}
/** ExportLogsServiceRequest in OTLP JSON. */
export interface OtlpLogsRequest {
  resourceLogs?: { resource?: OtlpResource; scopeLogs?: { scope?: OtlpScope; logRecords?: OtlpLogRecord[] }[] }[];
}

/** A span with its resource attributes and scope, flattened. */
export interface SinkSpan {
  resource: Record<string, unknown>;
  scope: OtlpScope;
  span: OtlpSpan;
  attributes: Record<string, unknown>;
}
/** A log record with its resource attributes and scope, flattened. */
export interface SinkLogRecord {
  resource: Record<string, unknown>;
  scope: OtlpScope;
  record: OtlpLogRecord;
  attributes: Record<string, unknown>;
}

/** Plain JS value of an OTLP AnyValue (int64 stays a string as in OTLP JSON). */
export function anyValue(v: OtlpAnyValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue !== undefined) return attributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return undefined;
}

/** OTLP KeyValue list → plain object. */
export function attributes(kvs: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

/** The OTLP sink: {@link startSink}. */
export interface Sink {
  /** `http://127.0.0.1:54319` — the collector's TEMPO_OTLP_URL. */
  url: string;
  /** `http://127.0.0.1:54319/otlp/v1/logs` — the collector's LOKI_OTLP_URL. */
  lokiUrl: string;
  /** Every span received so far (POST /v1/traces). */
  spans(): SinkSpan[];
  /** Every log record received so far (POST /otlp/v1/logs or /v1/logs). */
  logRecords(): SinkLogRecord[];
  /** Raw decoded request bodies, by path. */
  requests(): { path: string; body: unknown }[];
  /** Polls `predicate` (100 ms) until it returns a value other than undefined/false/empty array. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs?: number, what?: string): Promise<T>;
  /** Forgets everything received. */
  clear(): void;
  /** Makes the sink answer every request with `status` (e.g. 503), or normally again with null. */
  fail(status: number | null): void;
  stop(): Promise<void>;
}

/**
 * Starts the OTLP/HTTP JSON sink on 127.0.0.1:54319 standing in for Tempo
 * (POST /v1/traces, what the collector's otlphttp/tempo exporter sends to
 * `${TEMPO_OTLP_URL}/v1/traces`) and Loki (POST /otlp/v1/logs, the
 * otlphttp/loki exporter's logs_endpoint). Also accepts /v1/logs and /v1/metrics.
 * Bodies may be gzip-compressed (the exporters' default).
 */
export async function startSink(): Promise<Sink> {
  await assertPortFree(PORTS.sink, "sink");
  const spans: SinkSpan[] = [];
  const logs: SinkLogRecord[] = [];
  const requests: { path: string; body: unknown }[] = [];
  let failStatus: number | null = null;

  const server = Bun.serve({
    hostname: HOST,
    port: PORTS.sink,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (req.method !== "POST") return new Response("method not allowed", { status: 405 });
      if (failStatus !== null) return new Response("injected failure", { status: failStatus });
      const raw = new Uint8Array(await req.arrayBuffer());
      const bytes = req.headers.get("content-encoding") === "gzip" ? Bun.gunzipSync(raw) : raw;
      const type = req.headers.get("content-type") ?? "";
      if (!type.includes("json")) return new Response(`sink only accepts OTLP JSON, got ${type}`, { status: 415 });
      const body: unknown = JSON.parse(new TextDecoder().decode(bytes));
      requests.push({ path, body });
      if (path === "/v1/traces") {
        for (const rs of (body as OtlpTracesRequest).resourceSpans ?? []) {
          const resource = attributes(rs.resource?.attributes);
          for (const ss of rs.scopeSpans ?? []) {
            for (const span of ss.spans ?? [])
              spans.push({ resource, scope: ss.scope ?? {}, span, attributes: attributes(span.attributes) });
          }
        }
      } else if (path === "/otlp/v1/logs" || path === "/v1/logs") {
        for (const rl of (body as OtlpLogsRequest).resourceLogs ?? []) {
          const resource = attributes(rl.resource?.attributes);
          for (const sl of rl.scopeLogs ?? []) {
            for (const record of sl.logRecords ?? [])
              logs.push({ resource, scope: sl.scope ?? {}, record, attributes: attributes(record.attributes) });
          }
        }
      } else if (path !== "/v1/metrics") {
        return new Response("not found", { status: 404 });
      }
      return Response.json({});
    },
  });
  const url = `http://${HOST}:${PORTS.sink}`;
  return {
    url,
    lokiUrl: `${url}/otlp/v1/logs`,
    spans: () => [...spans],
    logRecords: () => [...logs],
    requests: () => [...requests],
    waitFor: <T>(
      predicate: () => T | undefined | false,
      timeoutMs = 30_000,
      what = "the sink to receive the expected data",
    ) =>
      pollUntil(
        what,
        () => {
          const v = predicate();
          return Array.isArray(v) && v.length === 0 ? undefined : v;
        },
        {
          timeoutMs,
          intervalMs: 100,
          detail: () => `sink has ${spans.length} spans, ${logs.length} log records`,
        },
      ),
    clear: () => {
      spans.length = 0;
      logs.length = 0;
      requests.length = 0;
    },
    fail: (status) => {
      failStatus = status;
    },
    stop: async () => {
      await server.stop(true);
    },
  };
}

// ---------------------------------------------------------------------------
// OpenTelemetry Collector
// ---------------------------------------------------------------------------

/** A running collector: {@link startCollector}. */
export interface CollectorPeer extends PeerHandle {
  /** `http://127.0.0.1:54318` (OTLP/HTTP; the apps' OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpHttpUrl: string;
  /** `127.0.0.1:54317` (OTLP/gRPC). */
  otlpGrpcEndpoint: string;
  /** `http://127.0.0.1:58889/metrics` (the prometheus exporter). */
  prometheusExporterUrl: string;
  /** `http://127.0.0.1:58888/metrics` (the collector's own telemetry). */
  ownMetricsUrl: string;
  /** The config file run: stack/otel-collector/config.yaml itself. */
  configPath: string;
  /** POSTs an OTLP JSON body to /v1/traces, /v1/metrics or /v1/logs; throws on non-2xx. */
  post(signal: "traces" | "metrics" | "logs", body: unknown): Promise<void>;
  restart(): Promise<void>;
}

/**
 * Runs the built collector on stack/otel-collector/config.yaml, unchanged, with the env overrides: bind 127.0.0.1, OTLP gRPC
 * 54317 / HTTP 54318, prometheus exporter 58889, health 53133, own metrics 58888,
 * Tempo and Loki pointed at `sinkUrl` (`${sinkUrl}/v1/traces`,
 * `${sinkUrl}/otlp/v1/logs`). `env` adds or overrides variables (e.g.
 * SPANMETRICS_FLUSH_INTERVAL). Resolves when the health check answers 200.
 */
export async function startCollector(opts: { sinkUrl: string; env?: Record<string, string> }): Promise<CollectorPeer> {
  const paths = cachePaths();
  for (const [name, port] of [
    ["otlp grpc", PORTS.otlpGrpc],
    ["otlp http", PORTS.otlpHttp],
    ["prometheus exporter", PORTS.collectorPrometheus],
    ["health", PORTS.collectorHealth],
    ["own metrics", PORTS.collectorMetrics],
  ] as const) {
    await assertPortFree(port, `collector ${name}`);
  }
  // The stack's own file, as is: test differences come only through the ${env:...} variables below.
  const configPath = COLLECTOR_CONFIG;
  const log = join(runDir(), "otelcol.log");
  const env: Record<string, string> = {
    OTEL_BIND: HOST,
    OTLP_GRPC_PORT: String(PORTS.otlpGrpc),
    OTLP_HTTP_PORT: String(PORTS.otlpHttp),
    OTEL_PROMETHEUS_PORT: String(PORTS.collectorPrometheus),
    OTEL_HEALTH_PORT: String(PORTS.collectorHealth),
    OTEL_METRICS_PORT: String(PORTS.collectorMetrics),
    TEMPO_OTLP_URL: opts.sinkUrl,
    LOKI_OTLP_URL: `${opts.sinkUrl}/otlp/v1/logs`,
    ...opts.env,
  };
  const child = new Child("otelcol", log);
  const start = async () => {
    child.spawn([paths.collector.binary, "--config", configPath], { env });
    await pollUntil(
      "the collector's health check",
      async () => {
        child.assertRunning();
        const res = await fetch(`http://${HOST}:${PORTS.collectorHealth}/`);
        return res.status === 200;
      },
      { timeoutMs: 30_000, detail: () => `log ${log}:\n${tail(log)}` },
    );
  };
  const stop = () => child.stop("SIGTERM", 10_000);
  await start();
  const otlpHttpUrl = `http://${HOST}:${PORTS.otlpHttp}`;
  return {
    otlpHttpUrl,
    otlpGrpcEndpoint: `${HOST}:${PORTS.otlpGrpc}`,
    prometheusExporterUrl: `http://${HOST}:${PORTS.collectorPrometheus}/metrics`,
    ownMetricsUrl: `http://${HOST}:${PORTS.collectorMetrics}/metrics`,
    configPath,
    log,
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    post: async (signal, body) => {
      const res = await fetch(`${otlpHttpUrl}/v1/${signal}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`POST /v1/${signal} → ${res.status}: ${await res.text()}`);
    },
  };
}

// ---------------------------------------------------------------------------
// Prometheus
// ---------------------------------------------------------------------------

/** One element of an instant query's result vector. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}
/** One series of /api/v1/query_exemplars. */
export interface PromExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

/** A running Prometheus: {@link startPrometheus}. */
export interface PrometheusPeer extends PeerHandle {
  /** `http://127.0.0.1:59090` */
  url: string;
  /** The rewritten config file it runs. */
  configPath: string;
  /** Instant query; returns the result vector (throws on API errors or non-vector results). */
  query(promql: string): Promise<PromSample[]>;
  /** Polls {@link query} until the vector is non-empty (and `predicate` holds). */
  waitForQuery(
    promql: string,
    opts?: { timeoutMs?: number; predicate?: (v: PromSample[]) => boolean },
  ): Promise<PromSample[]>;
  /** Exemplars of `promql` over the last `sinceSeconds` (default 600). */
  exemplars(promql: string, sinceSeconds?: number): Promise<PromExemplarSeries[]>;
  /** Every scrape target with its health (up/down/unknown) and last error. */
  targets(): Promise<{ job: string; scrapeUrl: string; health: string; lastError: string }[]>;
}

/**
 * stack/prometheus/prometheus.yml with only the targets' host:port rewritten for
 * the test peers: otel-collector:8889 → 127.0.0.1:58889, otel-collector:8888 →
 * 127.0.0.1:58888, localhost:9090 → 127.0.0.1:59090.
 */
export function prometheusTestConfig(): string {
  const rewrites: Record<string, string> = {
    "otel-collector:8889": `${HOST}:${PORTS.collectorPrometheus}`,
    "otel-collector:8888": `${HOST}:${PORTS.collectorMetrics}`,
    "localhost:9090": `${HOST}:${PORTS.prometheus}`,
  };
  const text = readFileSync(PROMETHEUS_CONFIG, "utf8");
  return text.replace(
    /(["'\s[,])(otel-collector:8889|otel-collector:8888|localhost:9090)(?=["'\s\],])/g,
    (_m, pre: string, target: string) => `${pre}${rewrites[target] ?? target}`,
  );
}

interface PromApiResponse {
  status: "success" | "error";
  data?: unknown;
  error?: string;
}

async function promApi(url: string): Promise<unknown> {
  const res = await fetch(url);
  const json = (await res.json()) as PromApiResponse;
  if (json.status !== "success") throw new Error(`Prometheus API ${url}: ${json.error ?? res.status}`);
  return json.data;
}

/**
 * Runs Prometheus on 127.0.0.1:59090 with the rewritten stack config (see
 * {@link prometheusTestConfig}), a fresh TSDB in the run dir and
 * `--enable-feature=exemplar-storage` (as in compose). Resolves when /-/ready is 200.
 */
export async function startPrometheus(): Promise<PrometheusPeer> {
  const paths = cachePaths();
  await assertPortFree(PORTS.prometheus, "prometheus");
  const dir = join(runDir(), "prometheus");
  mkdirSync(join(dir, "data"), { recursive: true });
  const configPath = join(dir, "prometheus.yml");
  writeFileSync(configPath, prometheusTestConfig());
  const log = join(runDir(), "prometheus.log");
  runSync([paths.prometheus.promtool, "check", "config", configPath], log);
  const url = `http://${HOST}:${PORTS.prometheus}`;
  const child = new Child("prometheus", log);
  const start = async () => {
    child.spawn([
      paths.prometheus.binary,
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=${HOST}:${PORTS.prometheus}`,
      "--enable-feature=exemplar-storage",
      "--storage.tsdb.retention.time=1d",
      "--log.level=warn",
    ]);
    await pollUntil(
      "prometheus to be ready",
      async () => {
        child.assertRunning();
        return (await fetch(`${url}/-/ready`)).status === 200;
      },
      { timeoutMs: 30_000, detail: () => `log ${log}:\n${tail(log)}` },
    );
  };
  const query = async (promql: string): Promise<PromSample[]> => {
    const data = await promApi(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    if (!isRecord(data) || data.resultType !== "vector" || !Array.isArray(data.result)) {
      throw new Error(`query ${promql}: expected a vector, got ${JSON.stringify(data).slice(0, 200)}`);
    }
    return data.result as PromSample[];
  };
  await start();
  return {
    url,
    configPath,
    log,
    start,
    stop: () => child.stop("SIGTERM", 10_000),
    query,
    waitForQuery: (promql, opts = {}) =>
      pollUntil(
        `prometheus to return data for ${promql}`,
        async () => {
          const v = await query(promql);
          return v.length > 0 && (opts.predicate?.(v) ?? true) ? v : undefined;
        },
        { timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 1000 },
      ),
    exemplars: async (promql, sinceSeconds = 600) => {
      const end = Date.now() / 1000;
      const data = await promApi(
        `${url}/api/v1/query_exemplars?query=${encodeURIComponent(promql)}&start=${end - sinceSeconds}&end=${end}`,
      );
      return (Array.isArray(data) ? data : []) as PromExemplarSeries[];
    },
    targets: async () => {
      const data = await promApi(`${url}/api/v1/targets?state=active`);
      const active = isRecord(data) && Array.isArray(data.activeTargets) ? data.activeTargets : [];
      return active.filter(isRecord).map((t) => ({
        job: String(t.scrapePool ?? ""),
        scrapeUrl: String(t.scrapeUrl ?? ""),
        health: String(t.health ?? ""),
        lastError: String(t.lastError ?? ""),
      }));
    },
  };
}

// ---------------------------------------------------------------------------
// Third-party API stand-in
// ---------------------------------------------------------------------------

/** The third-party API stand-in: {@link startThirdParty}. */
export interface ThirdPartyPeer {
  /** `http://127.0.0.1:54320` */
  url: string;
  /** Delay every answer by `ms` (0 = none). */
  setDelay(ms: number): void;
  /** Answer every request with `status` (e.g. 503), or normally again with null. */
  setFailure(status: number | null): void;
  /** Requests received so far (method + path). */
  requests(): { method: string; path: string }[];
  stop(): Promise<void>;
}

const ZEN = [
  "Keep it logically awesome.",
  "Design for failure.",
  "Speak like a human.",
  "Half measures are as bad as nothing at all.",
];

/**
 * Starts a stand-in for the third-party HTTP API on 127.0.0.1:54320: GET /zen
 * answers a short text/plain line; `setDelay` makes it slow, `setFailure` makes it
 * fail with a given status. Other paths: 404.
 */
export async function startThirdParty(): Promise<ThirdPartyPeer> {
  await assertPortFree(PORTS.thirdParty, "third party");
  let delayMs = 0;
  let failure: number | null = null;
  let n = 0;
  const seen: { method: string; path: string }[] = [];
  const server = Bun.serve({
    hostname: HOST,
    port: PORTS.thirdParty,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      seen.push({ method: req.method, path });
      if (delayMs > 0) await Bun.sleep(delayMs);
      if (failure !== null) return new Response(`injected failure ${failure}`, { status: failure });
      if (req.method === "GET" && path === "/zen") {
        return new Response(ZEN[n++ % ZEN.length], { headers: { "content-type": "text/plain; charset=utf-8" } });
      }
      return new Response("not found", { status: 404 });
    },
  });
  return {
    url: `http://${HOST}:${PORTS.thirdParty}`,
    setDelay: (ms) => {
      delayMs = ms;
    },
    setFailure: (status) => {
      failure = status;
    },
    requests: () => [...seen],
    stop: async () => {
      await server.stop(true);
    },
  };
}
