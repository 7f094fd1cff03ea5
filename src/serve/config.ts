import { LabError } from "../errors.ts";
import { type RoleName, roleByName } from "../roles.ts";
import { VERSION } from "../version.ts";

type Env = Record<string, string | undefined>;

/** Everything a role reads from its environment, with the defaults the compose stack uses. */
export interface ServeConfig {
  host: string;
  port: number;
  serviceAUrl: string;
  serviceBUrl: string;
  serviceDUrl: string;
  thirdPartyUrl?: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  gatewayTimeoutMs: number;
  upstreamTimeoutMs: number;
  thirdPartyTimeoutMs: number;
  dbTimeoutMs: number;
  kafkaTimeoutMs: number;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new LabError(`${name}=${raw} is not valid`, `set it to a whole number between ${min} and ${max}`);
  }
  return n;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  if (!URL.canParse(raw)) throw new LabError(`${name}=${raw} is not a URL`, `set it like ${fallback}`);
  return raw.replace(/\/+$/, "");
}

/**
 * In the stack's containers: the version of the o11y-lab that wrote the stack (set by `up`). A service of another
 * version (a binary replaced under a running lab, a stale image) would teach code that is not the one you run.
 */
function checkStackVersion(env: Env, version: string): void {
  const wanted = env.O11Y_LAB_STACK_VERSION;
  if (!wanted || wanted === version) return;
  throw new LabError(
    `this service runs o11y-lab ${version}, but the stack was written by o11y-lab ${wanted}`,
    "run `o11y-lab up` again with the o11y-lab you mean to use: it rewrites the stack and restarts the services",
  );
}

/** Reads and checks the environment once, at start: a bad value stops the role with one clear line. */
export function readConfig(role: RoleName, env: Env = process.env, version = VERSION): ServeConfig {
  checkStackVersion(env, version);
  const thirdParty = env.THIRD_PARTY_URL ? url(env, "THIRD_PARTY_URL", "") : undefined;
  return {
    // Loopback unless told otherwise: the fault switch has no authentication (compose sets HOST=0.0.0.0).
    host: env.HOST || "127.0.0.1",
    port: int(env, "PORT", roleByName(role).port, 1, 65535),
    serviceAUrl: url(env, "SERVICE_A_URL", "http://service-a:8001"),
    serviceBUrl: url(env, "SERVICE_B_URL", "http://service-b:8002"),
    serviceDUrl: url(env, "SERVICE_D_URL", "http://service-d:8004"),
    ...(thirdParty ? { thirdPartyUrl: thirdParty } : {}),
    databaseUrl: url(env, "DATABASE_URL", "postgres://postgres:postgres@postgres:5432/o11ylab"),
    kafkaBrokers: (env.KAFKA_BROKERS || "kafka:9092").split(",").map((b) => b.trim()),
    gatewayTimeoutMs: int(env, "GATEWAY_TIMEOUT_MS", 10_000, 1, 600_000),
    upstreamTimeoutMs: int(env, "UPSTREAM_TIMEOUT_MS", 5_000, 1, 600_000),
    thirdPartyTimeoutMs: int(env, "THIRD_PARTY_TIMEOUT_MS", 2_000, 1, 600_000),
    dbTimeoutMs: int(env, "DB_TIMEOUT_MS", 3_000, 1, 600_000),
    // Below service-a's 5 s to service-b, so service-b's own answer (what became of the message) reaches it.
    kafkaTimeoutMs: int(env, "KAFKA_TIMEOUT_MS", 4_000, 1, 600_000),
  };
}

/** The environment `serve all` gives its children: every address on this machine. */
export function localEnv(role: RoleName, env: Env): Env {
  const local = (name: string, value: string) => env[name] ?? value;
  return {
    ...env,
    HOST: local("HOST", "127.0.0.1"),
    PORT: String(roleByName(role).port),
    SERVICE_A_URL: local("SERVICE_A_URL", "http://127.0.0.1:8001"),
    SERVICE_B_URL: local("SERVICE_B_URL", "http://127.0.0.1:8002"),
    SERVICE_D_URL: local("SERVICE_D_URL", "http://127.0.0.1:8004"),
    DATABASE_URL: local("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/o11ylab"),
    KAFKA_BROKERS: local("KAFKA_BROKERS", "127.0.0.1:9092"),
    OTEL_EXPORTER_OTLP_ENDPOINT: local("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
  };
}
