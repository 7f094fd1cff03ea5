import type { RoleName } from "../roles.ts";

/**
 * Every chaos scenario of the lab, under the original lab's names and with its Pumba arguments, each saying what it
 * promises, where to see it in Grafana, and its app-level form (the services' own fault flags) for hosts where
 * netem cannot run.
 *
 * The status codes follow the services' mapping: service-a answers 503 when service-d or service-b refuse or are
 * gone, 504 when they are slower than its 5 s upstream timeout, 502 when they answer 5xx; the gateway answers 504
 * itself when service-a is slower than 10 s and otherwise passes service-a's status through.
 */

/**
 * Pinned images. Pumba's netem helper runs `tc` from the nettools image inside the target's network namespace; its
 * stress helper runs stress-ng beside the target. Pumba pulls its helpers on every run unless told not to, and
 * stress-ng's default is `:latest`: the lab pins both and pulls them once itself (run.ts).
 */
export const PUMBA_IMAGE = "gaiaadm/pumba:1.2.1";
export const TC_IMAGE = "ghcr.io/alexei-led/pumba-alpine-nettools:sha-19e0a46";
export const STRESS_IMAGE = "ghcr.io/alexei-led/stress-ng:0.20.01";

/** Containers chaos may kill, pause or slow down: what `chaos stop` brings back. Container name = compose service. */
export const CHAOS_TARGETS = ["api-gateway", "service-a", "service-b", "service-c", "service-d", "postgres", "kafka"];

/** The services' runtime fault flags (`PUT /admin/faults`); unset fields keep their value. */
export interface AppFault {
  readonly latency_ms?: number;
  readonly jitter_ms?: number;
  readonly error_rate?: number;
  readonly error_status?: number;
}

/** One Pumba container: its name (labelled and removed by `chaos stop|clean`) and its arguments after the image. */
export interface PumbaRun {
  readonly container: string;
  readonly args: readonly string[];
}

/**
 * A scenario's promise as a number to watch (`chaos <scenario> --watch`, `lab check`, `report`): a role's p95
 * rising by `rise` seconds over its baseline, its 5xx share passing `above` percent, or one of the scenario's target
 * containers down; within `within` seconds of the start. The gateway's 1-minute rates need traffic (k6) to move.
 */
export type Hypothesis =
  | { readonly measure: "p95"; readonly role: RoleName; readonly rise: number; readonly within: number }
  | { readonly measure: "errors"; readonly role: RoleName; readonly above: number; readonly within: number }
  | { readonly measure: "down"; readonly within: number };

const p95 = (role: RoleName, rise: number, within = 60): Hypothesis => ({ measure: "p95", role, rise, within });
const errors = (role: RoleName, above: number, within = 60): Hypothesis => ({ measure: "errors", role, above, within });
const down = (within: number): Hypothesis => ({ measure: "down", within });

export type ChaosGroup = "basic" | "service" | "complex" | "http-errors";

export interface ChaosScenario {
  readonly name: string;
  readonly group: ChaosGroup;
  /** What it does to the containers. */
  readonly does: string;
  readonly targets: readonly string[];
  /** How long it lasts, as a person reads it. */
  readonly duration: string;
  /** What it produces at the gateway and in the telemetry: the promise the tests and the docs hold it to. */
  readonly expect: string;
  /** The expect line as a measurable hypothesis. */
  readonly hypothesis: Hypothesis;
  /** Where to look in Grafana. */
  readonly grafana: string;
  /** The Pumba containers, or none when only app-level faults can keep the promise. */
  readonly pumba: readonly PumbaRun[];
  /** Started in the foreground and removed when done (a one-shot kill), instead of detached. */
  readonly foreground?: boolean;
  /** The app-level form: fault flags per role, and what it produces. */
  readonly app: {
    /** The app-level expect as a measurable hypothesis. */
    readonly hypothesis: Hypothesis;
    readonly faults: Partial<Record<RoleName, AppFault>>;
    /** Apply the faults of one of the listed roles, picked at random (kill-random). */
    readonly pickOne?: boolean;
    readonly expect: string;
  };
}

const APPS = "re2:^(api-gateway|service-[a-d])$";
const ALL_APPS = ["api-gateway", "service-a", "service-b", "service-c", "service-d"];

/** Turns off Pumba's pull of its helper image before every run (a BoolT flag: only `=false` turns it off). */
const NO_PULL = "--pull-image=false";

/** `netem --duration <d> --tc-image <pinned> <command…>`, as every netem scenario of the original lab spells it. */
function netem(duration: string, ...command: string[]): string[] {
  return ["netem", "--duration", duration, "--tc-image", TC_IMAGE, NO_PULL, ...command];
}

/** Pumba's flag parser needs the stress-ng arguments joined to `--stressors` with `=`. */
function stress(duration: string, stressors: string, target: string): string[] {
  return [
    "stress",
    "--duration",
    duration,
    "--stress-image",
    STRESS_IMAGE,
    NO_PULL,
    `--stressors=${stressors}`,
    target,
  ];
}

const everyRole = (fault: AppFault): Partial<Record<RoleName, AppFault>> =>
  Object.fromEntries(ALL_APPS.map((role) => [role, fault]));

export const SCENARIOS: readonly ChaosScenario[] = [
  {
    name: "kill-random",
    group: "basic",
    does: "every 30 s, SIGKILL one of service-b, service-c, service-d, picked at random",
    targets: ["service-b", "service-c", "service-d"],
    duration: "until chaos stop",
    expect:
      "a killed container stays down (Docker does not restart what was killed) until chaos stop: service-b or " +
      "service-d down → 503 at the gateway; service-c down → Kafka consumer lag grows",
    hypothesis: down(45),
    grafana: "Overview: error % on api-gateway and service-a; Kafka & Postgres: consumer lag",
    pumba: [
      {
        container: "pumba-kill-random",
        args: [
          "--interval",
          "30s",
          "--random",
          "--log-level",
          "info",
          "kill",
          "--signal",
          "SIGKILL",
          "re2:^(service-[b-d])$",
        ],
      },
    ],
    app: {
      hypothesis: errors("api-gateway", 50),
      faults: { "service-b": { error_rate: 1, error_status: 503 }, "service-d": { error_rate: 1, error_status: 503 } },
      pickOne: true,
      expect: "service-b or service-d (one, at random) answers 503 to everything; service-a reports it as 502",
    },
  },
  {
    name: "kill-all",
    group: "basic",
    does: "every 20 s, SIGTERM all five services",
    targets: ALL_APPS,
    duration: "until chaos stop",
    expect: "the whole lab goes down and stays down until chaos stop: k6 sees refused connections",
    hypothesis: down(30),
    grafana: "Overview: request rate drops to zero; the services' series stop",
    pumba: [
      {
        container: "pumba-kill-all",
        args: ["--interval", "20s", "--log-level", "info", "kill", "--signal", "SIGTERM", APPS],
      },
    ],
    app: {
      hypothesis: errors("api-gateway", 90),
      faults: everyRole({ error_rate: 1, error_status: 503 }),
      expect: "every service answers 503: the gateway's 503 is all a client sees",
    },
  },
  {
    name: "kill-gateway",
    group: "basic",
    does: "SIGKILL api-gateway once",
    targets: ["api-gateway"],
    duration: "once",
    expect: "the gateway is gone until chaos stop: clients see refused connections, the backends stay idle",
    hypothesis: down(20),
    grafana: "Overview: api-gateway request rate drops to zero",
    pumba: [{ container: "pumba-kill-gateway", args: ["kill", "--signal", "SIGKILL", "api-gateway"] }],
    foreground: true,
    app: {
      hypothesis: errors("api-gateway", 90),
      faults: { "api-gateway": { error_rate: 1, error_status: 503 } },
      expect: "api-gateway answers 503 to everything",
    },
  },
  {
    name: "network-delay",
    group: "basic",
    does: "delay every packet the five services send by 500 ± 100 ms (normal distribution)",
    targets: ALL_APPS,
    duration: "5m",
    expect: "gateway p95 rises by seconds (each hop and each Postgres/Kafka round trip pays the delay); few errors",
    hypothesis: p95("api-gateway", 1.5),
    grafana: "Overview: p95 per service; Distributed Tracing: long gaps between spans",
    pumba: [
      {
        container: "pumba-delay",
        args: [
          "--log-level",
          "info",
          ...netem("5m", "delay", "--time", "500", "--jitter", "100", "--distribution", "normal", APPS),
        ],
      },
    ],
    app: {
      hypothesis: p95("api-gateway", 1),
      faults: everyRole({ latency_ms: 500, jitter_ms: 100 }),
      expect:
        "each service answers 500 ± 100 ms later: gateway p95 rises by about 1.5 s (the gateway, service-a, then " +
        "service-d and service-b side by side)",
    },
  },
  {
    name: "network-loss",
    group: "basic",
    does: "drop 20% of the packets the five services send",
    targets: ALL_APPS,
    duration: "5m",
    expect: "TCP retransmissions: latency spikes of hundreds of ms, and 504s where they pass 5 s",
    hypothesis: p95("api-gateway", 0.2),
    grafana: "Overview: p99 per service jumps while p50 barely moves",
    pumba: [
      { container: "pumba-loss", args: ["--log-level", "info", ...netem("5m", "loss", "--percent", "20", APPS)] },
    ],
    app: {
      hypothesis: p95("api-gateway", 0.5),
      faults: everyRole({ latency_ms: 300, jitter_ms: 300 }),
      expect: "each service answers 0–600 ms later, standing in for retransmission waits; no lost requests",
    },
  },
  {
    name: "network-corrupt",
    group: "basic",
    does: "corrupt 10% of the packets the five services send",
    targets: ALL_APPS,
    duration: "5m",
    expect: "corrupted packets fail their checksum and are resent: latency spikes like network-loss, milder",
    hypothesis: p95("api-gateway", 0.1),
    grafana: "Overview: p99 per service",
    pumba: [
      { container: "pumba-corrupt", args: ["--log-level", "info", ...netem("5m", "corrupt", "--percent", "10", APPS)] },
    ],
    app: {
      hypothesis: p95("api-gateway", 0.3),
      faults: everyRole({ latency_ms: 150, jitter_ms: 150 }),
      expect: "each service answers 0–300 ms later, standing in for resent packets",
    },
  },
  {
    name: "stress-cpu",
    group: "basic",
    does: "run 2 stress-ng CPU workers beside each of the five services",
    targets: ALL_APPS,
    duration: "2m",
    expect: "CPU-bound work slows down: service-d /compute and the gateway p95 rise",
    hypothesis: p95("service-d", 0.02),
    grafana: "Service Performance: service-d latency; Overview: p95",
    pumba: [
      {
        container: "pumba-stress",
        args: ["--log-level", "info", ...stress("2m", "--cpu 2 --timeout 120s", APPS)],
      },
    ],
    app: {
      hypothesis: p95("api-gateway", 0.5),
      faults: everyRole({ latency_ms: 200, jitter_ms: 150 }),
      expect: "each service answers 200 ± 150 ms later, standing in for CPU contention",
    },
  },
  {
    name: "delay-service-a",
    group: "service",
    does: "delay the packets service-a sends by 1000 ± 200 ms",
    targets: ["service-a"],
    duration: "3m",
    expect:
      "service-a and everything it calls (Postgres, service-d, service-b) look slow from service-a: gateway p95 rises by seconds",
    hypothesis: p95("api-gateway", 1),
    grafana: "Service Performance (service-a): client span durations; Distributed Tracing: service-a's spans",
    pumba: [
      {
        container: "pumba-delay-service-a",
        args: netem("3m", "delay", "--time", "1000", "--jitter", "200", "service-a"),
      },
    ],
    app: {
      hypothesis: p95("api-gateway", 0.8),
      faults: { "service-a": { latency_ms: 1000, jitter_ms: 200 } },
      expect: "service-a answers 1000 ± 200 ms later: gateway p95 rises by about a second",
    },
  },
  {
    name: "delay-service-b",
    group: "service",
    does: "delay the packets service-b sends by 1000 ms (the codelab's debugging exercise)",
    targets: ["service-b"],
    duration: "5m",
    expect:
      "service-b's answer to service-a and each of its Kafka publishes wait 1 s: service-a's call to service-b " +
      "takes about 2 s longer, and so does the gateway's p95; no errors",
    hypothesis: p95("api-gateway", 1.5),
    grafana:
      "Overview: p95 of api-gateway and service-a; Distributed Tracing: the long span is service-b's (its Kafka " +
      "send inside it); Service Performance (service-b)",
    pumba: [{ container: "pumba-delay-service-b", args: netem("5m", "delay", "--time", "1000", "service-b") }],
    app: {
      hypothesis: p95("api-gateway", 0.8),
      faults: { "service-b": { latency_ms: 1000, jitter_ms: 0 } },
      expect: "service-b answers 1 s later (its Kafka send stays fast): the gateway's p95 rises by about a second",
    },
  },
  {
    name: "loss-service-b",
    group: "service",
    does: "drop 30% of the packets service-b sends",
    targets: ["service-b"],
    duration: "3m",
    expect: "service-b's answers and Kafka publishes retransmit: service-a's call to service-b slows, some 504s",
    hypothesis: p95("service-a", 0.3),
    grafana: "Service Performance (service-b); Kafka & Postgres: publish latency",
    pumba: [{ container: "pumba-loss-service-b", args: netem("3m", "loss", "--percent", "30", "service-b") }],
    app: {
      hypothesis: p95("api-gateway", 0.4),
      faults: { "service-b": { latency_ms: 600, jitter_ms: 600 } },
      expect: "service-b answers 0–1.2 s later",
    },
  },
  {
    name: "stress-postgres",
    group: "service",
    does: "run 2 CPU and 1 I/O stress-ng workers beside Postgres",
    targets: ["postgres"],
    duration: "2m",
    expect: "slower queries: service-a's database spans and db.client.operation.duration rise",
    hypothesis: p95("service-a", 0.05),
    grafana: "Kafka & Postgres: Postgres operation latency",
    pumba: [{ container: "pumba-stress-postgres", args: stress("2m", "--cpu 2 --io 1 --timeout 120s", "postgres") }],
    app: {
      hypothesis: p95("api-gateway", 0.2),
      faults: { "service-a": { latency_ms: 300, jitter_ms: 200 } },
      expect:
        "service-a answers 300 ± 200 ms later (its database spans stay fast: there is no app-level Postgres fault)",
    },
  },
  {
    name: "pause-kafka",
    group: "service",
    does: "freeze the Kafka broker for 30 s, then thaw it",
    targets: ["kafka"],
    duration: "30s",
    expect:
      "service-b's publishes hang until its 4 s Kafka budget runs out, and it answers 504 (the message may still be " +
      "published once): 504 at the gateway for 30 s; " +
      "afterwards service-c catches up and the lag drains",
    hypothesis: errors("api-gateway", 50, 30),
    grafana: "Kafka & Postgres: consumer lag spike and drain; Overview: 504s",
    pumba: [{ container: "pumba-pause-kafka", args: ["pause", "--duration", "30s", "kafka"] }],
    app: {
      hypothesis: errors("api-gateway", 50),
      faults: { "service-b": { latency_ms: 6000, jitter_ms: 0 } },
      expect: "service-b answers after 6 s, past service-a's 5 s timeout: 504 at the gateway until chaos stop",
    },
  },
  {
    name: "microservice-chain",
    group: "complex",
    does: "at once: delay service-a 800 ± 150 ms, drop 15% of service-b's packets, stress service-c's CPU",
    targets: ["service-a", "service-b", "service-c"],
    duration: "5m",
    expect: "a slow chain: gateway p95 rises, occasional 504s from service-b, service-c processes more slowly",
    hypothesis: p95("api-gateway", 0.8),
    grafana: "Distributed Tracing: where the time goes in one trace; Kafka & Postgres: processing duration",
    pumba: [
      { container: "pumba-chain-delay-a", args: netem("5m", "delay", "--time", "800", "--jitter", "150", "service-a") },
      { container: "pumba-chain-loss-b", args: netem("5m", "loss", "--percent", "15", "service-b") },
      { container: "pumba-chain-stress-c", args: stress("5m", "--cpu 2 --timeout 300s", "service-c") },
    ],
    app: {
      hypothesis: p95("api-gateway", 0.8),
      faults: {
        "service-a": { latency_ms: 800, jitter_ms: 150 },
        "service-b": { latency_ms: 400, jitter_ms: 400 },
        "service-c": { latency_ms: 300, jitter_ms: 200 },
      },
      expect: "service-a 800 ± 150 ms and service-b 0–800 ms slower; service-c's /stats slower (not its consumer)",
    },
  },
  {
    name: "database-outage",
    group: "complex",
    does: "delay every packet Postgres sends by 2000 ± 500 ms",
    targets: ["postgres"],
    duration: "3m",
    expect: "each of service-a's queries takes seconds: requests near the gateway's 10 s timeout, some 504s",
    hypothesis: p95("api-gateway", 2),
    grafana: "Kafka & Postgres: Postgres latency; Distributed Tracing: long database spans",
    pumba: [
      { container: "pumba-db-outage", args: netem("3m", "delay", "--time", "2000", "--jitter", "500", "postgres") },
    ],
    app: {
      hypothesis: p95("api-gateway", 4),
      faults: { "service-a": { latency_ms: 6000, jitter_ms: 1500 } },
      expect: "service-a answers 4.5–7.5 s later: gateway p95 near 7 s",
    },
  },
  {
    name: "network-partition",
    group: "complex",
    does: "drop 90% of the packets service-a and service-b send",
    targets: ["service-a", "service-b"],
    duration: "2m",
    expect: "service-a and service-b are all but unreachable: 504s and 503s at the gateway",
    hypothesis: errors("api-gateway", 30),
    grafana: "Overview: error % on api-gateway; Distributed Tracing: service map edges to service-a turn red",
    pumba: [
      { container: "pumba-partition-a", args: netem("2m", "loss", "--percent", "90", "service-a") },
      { container: "pumba-partition-b", args: netem("2m", "loss", "--percent", "90", "service-b") },
    ],
    app: {
      hypothesis: errors("api-gateway", 50),
      faults: {
        "service-a": { error_rate: 0.9, error_status: 503 },
        "service-b": { error_rate: 0.9, error_status: 503 },
      },
      expect: "90% of requests fail: 503 from service-a, or 502 when only service-b failed",
    },
  },
  {
    name: "503-errors",
    group: "http-errors",
    does: "SIGKILL service-d, and again every 15 s should it come back",
    targets: ["service-d"],
    duration: "until chaos stop",
    expect: "service-a cannot reach service-d: every /api/process answers 503 naming service-d",
    hypothesis: errors("api-gateway", 90),
    grafana:
      "Overview: 5xx % on api-gateway and service-a; Distributed Tracing: ERROR spans on service-a's call to service-d",
    pumba: [
      {
        container: "pumba-503-errors",
        args: ["--interval", "15s", "--log-level", "info", "kill", "--signal", "SIGKILL", "service-d"],
      },
    ],
    app: {
      hypothesis: errors("api-gateway", 30),
      faults: { "service-a": { error_rate: 0.5, error_status: 503 } },
      expect: "half the requests answer 503 (service-a fails as it does when a dependency is unavailable)",
    },
  },
  {
    name: "504-errors",
    group: "http-errors",
    does: "delay the packets service-a sends by 35 s",
    targets: ["service-a"],
    duration: "5m",
    expect: "service-a's answers arrive after the gateway's 10 s timeout: every /api/process answers 504",
    hypothesis: errors("api-gateway", 90),
    grafana: "Overview: 5xx % and p95 pinned at 10 s on api-gateway",
    pumba: [
      {
        container: "pumba-504-errors",
        args: ["--log-level", "info", ...netem("5m", "delay", "--time", "35000", "service-a")],
      },
    ],
    app: {
      hypothesis: errors("api-gateway", 90),
      faults: { "service-d": { latency_ms: 6000, jitter_ms: 0 } },
      expect: "service-d answers after 6 s, past service-a's 5 s timeout: every /api/process answers 504",
    },
  },
  {
    name: "500-errors",
    group: "http-errors",
    does: "service-a fails half its requests with 500 (app-level: no container fault yields an honest 500)",
    targets: ["service-a"],
    duration: "until chaos stop",
    expect:
      "half the requests answer 500. (The original paused Postgres, which here rightly gives 503/504: " +
      "see database-outage)",
    hypothesis: errors("api-gateway", 30),
    grafana: "Overview: 5xx % on api-gateway and service-a; Distributed Tracing: ERROR spans on service-a",
    pumba: [],
    app: {
      hypothesis: errors("api-gateway", 30),
      faults: { "service-a": { error_rate: 0.5, error_status: 500 } },
      expect: "half the requests answer 500",
    },
  },
  {
    name: "cascading-errors",
    group: "http-errors",
    does: "at once: drop 70% of service-d's packets, delay service-b 5000 ± 2000 ms, stress Postgres",
    targets: ["service-d", "service-b", "postgres"],
    duration: "5m",
    expect: "failures pile up along the chain: a mix of 503/504 at the gateway and slow successes",
    hypothesis: errors("api-gateway", 20),
    grafana: "Distributed Tracing: service map turning red from the leaves up; Overview: error % per service",
    pumba: [
      { container: "pumba-cascade-1", args: netem("5m", "loss", "--percent", "70", "service-d") },
      { container: "pumba-cascade-2", args: netem("5m", "delay", "--time", "5000", "--jitter", "2000", "service-b") },
      { container: "pumba-cascade-3", args: stress("5m", "--cpu 2 --timeout 300s", "postgres") },
    ],
    app: {
      hypothesis: errors("api-gateway", 40),
      faults: {
        "service-d": { error_rate: 0.7, error_status: 503 },
        "service-b": { latency_ms: 5000, jitter_ms: 2000 },
        "service-a": { latency_ms: 200, jitter_ms: 100 },
      },
      expect: "502 when service-d fails (70%), 504 when service-b passes 5 s, and slow successes",
    },
  },
];

export function scenarioByName(name: string): ChaosScenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** The pinned helper images the scenario's Pumba containers start (none for kill and pause). */
export function helperImages(scenario: ChaosScenario): string[] {
  const images = scenario.pumba.flatMap((run) => [
    ...(run.args.includes("netem") ? [TC_IMAGE] : []),
    ...(run.args.includes("stress") ? [STRESS_IMAGE] : []),
  ]);
  return [...new Set(images)];
}

/** Whether the scenario needs netem (tc inside the target's network namespace), which some hosts lack. */
export function needsNetem(scenario: ChaosScenario): boolean {
  return scenario.pumba.some((run) => run.args.includes("netem"));
}
