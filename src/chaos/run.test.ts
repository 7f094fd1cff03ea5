import { afterEach, describe, expect, test } from "bun:test";
import type { RoleName } from "../roles.ts";
import { docker as dockerOnPath } from "../stack/docker.ts";
import { type FakeDocker, type FakeRule, fakeDocker } from "./_fake-docker.ts";
import {
  type ChaosScenario,
  helperImages,
  PUMBA_IMAGE,
  SCENARIOS,
  STRESS_IMAGE,
  scenarioByName,
  TC_IMAGE,
} from "./catalogue.ts";
import { FaultClient, type Faults, NO_FAULT } from "./faults.ts";
import {
  type ChaosDeps,
  chaosStatus,
  cleanChaos,
  NETEM_PROBE,
  PUMBA_SETTLE_MS,
  preflight,
  startScenario,
  stopChaos,
} from "./run.ts";

/**
 * The original lab's Pumba arguments (reference §6.3; delay-service-b from the codelab's exercise), `TC` standing
 * for the pinned nettools image. The lab adds only the pinned stress image and `--pull-image=false` (tested on
 * their own below).
 */
const ORIGINAL: Record<string, string[]> = {
  "kill-random": ["--interval 30s --random --log-level info kill --signal SIGKILL re2:^(service-[b-d])$"],
  "kill-all": ["--interval 20s --log-level info kill --signal SIGTERM re2:^(api-gateway|service-[a-d])$"],
  "network-delay": [
    "--log-level info netem --duration 5m --tc-image TC delay --time 500 --jitter 100 --distribution normal re2:^(api-gateway|service-[a-d])$",
  ],
  "network-loss": [
    "--log-level info netem --duration 5m --tc-image TC loss --percent 20 re2:^(api-gateway|service-[a-d])$",
  ],
  "network-corrupt": [
    "--log-level info netem --duration 5m --tc-image TC corrupt --percent 10 re2:^(api-gateway|service-[a-d])$",
  ],
  "stress-cpu": [
    "--log-level info stress --duration 2m --stressors=--cpu 2 --timeout 120s re2:^(api-gateway|service-[a-d])$",
  ],
  "kill-gateway": ["kill --signal SIGKILL api-gateway"],
  "delay-service-a": ["netem --duration 3m --tc-image TC delay --time 1000 --jitter 200 service-a"],
  "delay-service-b": ["netem --duration 5m --tc-image TC delay --time 1000 service-b"],
  "loss-service-b": ["netem --duration 3m --tc-image TC loss --percent 30 service-b"],
  "stress-postgres": ["stress --duration 2m --stressors=--cpu 2 --io 1 --timeout 120s postgres"],
  "pause-kafka": ["pause --duration 30s kafka"],
  "microservice-chain": [
    "netem --duration 5m --tc-image TC delay --time 800 --jitter 150 service-a",
    "netem --duration 5m --tc-image TC loss --percent 15 service-b",
    "stress --duration 5m --stressors=--cpu 2 --timeout 300s service-c",
  ],
  "database-outage": ["netem --duration 3m --tc-image TC delay --time 2000 --jitter 500 postgres"],
  "network-partition": [
    "netem --duration 2m --tc-image TC loss --percent 90 service-a",
    "netem --duration 2m --tc-image TC loss --percent 90 service-b",
  ],
  "503-errors": ["--interval 15s --log-level info kill --signal SIGKILL service-d"],
  "504-errors": ["--log-level info netem --duration 5m --tc-image TC delay --time 35000 service-a"],
  "500-errors": [],
  "cascading-errors": [
    "netem --duration 5m --tc-image TC loss --percent 70 service-d",
    "netem --duration 5m --tc-image TC delay --time 5000 --jitter 2000 service-b",
    "stress --duration 5m --stressors=--cpu 2 --timeout 300s postgres",
  ],
};

const CONTAINERS: Record<string, string[]> = {
  "kill-random": ["pumba-kill-random"],
  "kill-all": ["pumba-kill-all"],
  "network-delay": ["pumba-delay"],
  "network-loss": ["pumba-loss"],
  "network-corrupt": ["pumba-corrupt"],
  "stress-cpu": ["pumba-stress"],
  "kill-gateway": ["pumba-kill-gateway"],
  "delay-service-a": ["pumba-delay-service-a"],
  "delay-service-b": ["pumba-delay-service-b"],
  "loss-service-b": ["pumba-loss-service-b"],
  "stress-postgres": ["pumba-stress-postgres"],
  "pause-kafka": ["pumba-pause-kafka"],
  "microservice-chain": ["pumba-chain-delay-a", "pumba-chain-loss-b", "pumba-chain-stress-c"],
  "database-outage": ["pumba-db-outage"],
  "network-partition": ["pumba-partition-a", "pumba-partition-b"],
  "503-errors": ["pumba-503-errors"],
  "504-errors": ["pumba-504-errors"],
  "500-errors": [],
  "cascading-errors": ["pumba-cascade-1", "pumba-cascade-2", "pumba-cascade-3"],
};

/** The services' /admin/faults, in memory, recording every call. */
function fakeServices(initial: Partial<Record<RoleName, Faults>> = {}, down: RoleName[] = []) {
  const state = new Map<string, Faults>(Object.entries(initial));
  const calls: string[] = [];
  const request = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const role = url.hostname.replace(".test", "") as RoleName;
    const method = init?.method ?? "GET";
    calls.push(`${method} ${role}${init?.body ? ` ${init.body}` : ""}`);
    if (down.includes(role)) throw new TypeError("fetch failed");
    if (method === "PUT") state.set(role, JSON.parse(String(init?.body)) as Faults);
    if (method === "DELETE") state.delete(role);
    return Response.json(state.get(role) ?? NO_FAULT);
  }) as typeof fetch;
  return { faults: new FaultClient((role) => `http://${role}.test`, request), calls, state };
}

interface Harness {
  deps: ChaosDeps;
  fake: FakeDocker;
  lines: string[];
  annotations: string[];
  services: ReturnType<typeof fakeServices>;
  slept: number[];
}

let fake: FakeDocker | undefined;
afterEach(async () => {
  await fake?.remove();
  fake = undefined;
});

/** What Docker says of a detached container just started: running (a test that wants it gone says so first). */
const STILL_RUNNING = ["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}"];
const pumbaRunning: FakeRule = { match: `${STILL_RUNNING.join(" ")} *`, stdout: "running 0\n" };

async function harness(rules: FakeRule[], services = fakeServices(), random = 0): Promise<Harness> {
  fake = await fakeDocker([...rules, pumbaRunning]);
  const lines: string[] = [];
  const annotations: string[] = [];
  const slept: number[] = [];
  const push = (kind: string) => (message: string) => lines.push(`${kind} ${message}`);
  const deps: ChaosDeps = {
    docker: fake.docker,
    faults: services.faults,
    annotate: async (text, tags) => annotations.push(`${text} [${tags.join(",")}]`),
    log: { info: push("info"), success: push("success"), warn: push("warn"), log: push("log") },
    random: () => random,
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
  return { deps, fake, lines, annotations, services, slept };
}

const scenario = (name: string): ChaosScenario => {
  const found = scenarioByName(name);
  if (!found) throw new Error(name);
  return found;
};

describe("the catalogue", () => {
  test("has the original scenarios, in order, with the original Pumba arguments and container names", () => {
    expect(SCENARIOS.map((s) => s.name).sort()).toEqual(Object.keys(ORIGINAL).sort());
    for (const s of SCENARIOS) {
      const args = s.pumba.map((run) =>
        run.args
          .join(" ")
          .replaceAll(TC_IMAGE, "TC")
          .replaceAll(` --stress-image ${STRESS_IMAGE}`, "")
          .replaceAll(` ${"--pull-image=false"}`, ""),
      );
      expect({ name: s.name, args }).toEqual({ name: s.name, args: ORIGINAL[s.name] ?? [] });
      expect({ name: s.name, containers: s.pumba.map((r) => r.container) }).toEqual({
        name: s.name,
        containers: CONTAINERS[s.name] ?? [],
      });
    }
  });

  test("images are pinned to exact versions", () => {
    for (const image of [PUMBA_IMAGE, TC_IMAGE, STRESS_IMAGE]) expect(image).not.toMatch(/:latest$|^[^:]+$/);
  });

  test("every helper Pumba starts is the pinned image, and Pumba never pulls it (its default is to, every run)", () => {
    const runs = SCENARIOS.flatMap((s) => s.pumba);
    const netem = runs.filter((r) => r.args.includes("netem"));
    const stress = runs.filter((r) => r.args.includes("stress"));
    expect(netem.length).toBeGreaterThan(0);
    expect(stress.length).toBeGreaterThan(0);
    for (const run of netem) {
      const at = run.args.indexOf("netem");
      // netem-level flags sit between `netem` and its subcommand
      expect(run.args.slice(at + 1, at + 6)).toEqual([
        "--duration",
        expect.any(String),
        "--tc-image",
        TC_IMAGE,
        "--pull-image=false",
      ]);
    }
    for (const run of stress) {
      const at = run.args.indexOf("stress");
      expect(run.args.slice(at + 3, at + 6)).toEqual(["--stress-image", STRESS_IMAGE, "--pull-image=false"]);
    }
    expect(
      runs
        .filter((r) => !r.args.includes("netem") && !r.args.includes("stress"))
        .every((r) => !r.args.some((a) => a.startsWith("--pull"))),
    ).toBe(true);
  });

  test("every scenario says what it promises, where to look, and has an app-level form", () => {
    for (const s of SCENARIOS) {
      expect([s.does, s.expect, s.grafana, s.app.expect].every((text) => text.length > 10)).toBe(true);
      expect(s.duration).toMatch(/^(\d+[sm]|once|until chaos stop)$/);
      expect(Object.keys(s.app.faults).length).toBeGreaterThan(0);
    }
  });

  test("the HTTP error demos promise exactly their status, in both forms", () => {
    expect(scenario("500-errors").app.faults).toEqual({ "service-a": { error_rate: 0.5, error_status: 500 } });
    expect(scenario("503-errors").app.faults).toEqual({ "service-a": { error_rate: 0.5, error_status: 503 } });
    // Past service-a's 5 s upstream timeout: service-a answers 504, the gateway passes it through.
    expect(scenario("504-errors").app.faults).toEqual({ "service-d": { latency_ms: 6000, jitter_ms: 0 } });
    // Past the gateway's 10 s timeout to service-a.
    expect(scenario("504-errors").pumba[0]?.args).toContain("35000");
    // Killing service-d: service-a cannot reach it, 503.
    expect(scenario("503-errors").pumba[0]?.args.at(-1)).toBe("service-d");
  });
});

const netemOk: FakeRule = { match: "run --rm --cap-add NET_ADMIN --entrypoint tc *", code: 0 };
const socket = "/var/run/docker.sock:/var/run/docker.sock";

describe("chaos <scenario>", () => {
  test.each(SCENARIOS.filter((s) => s.pumba.length > 0).map((s) => s.name))("%s: exact docker calls", async (name) => {
    const h = await harness([netemOk]);
    const s = scenario(name);
    await startScenario(s, { app: false }, h.deps);
    const expected: string[][] = [];
    if (s.pumba.some((r) => r.args.includes("netem"))) expected.push(NETEM_PROBE);
    for (const image of helperImages(s)) expected.push(["image", "inspect", "--format", "{{.Id}}", image]);
    for (const run of s.pumba) {
      expected.push(["rm", "-f", run.container]);
      expected.push([
        "run",
        ...(s.foreground ? ["--rm"] : ["-d"]),
        "--name",
        run.container,
        "--label",
        `o11y-lab.chaos=${name}`,
        "-v",
        socket,
        PUMBA_IMAGE,
        ...run.args,
      ]);
      if (!s.foreground) expected.push([...STILL_RUNNING, run.container]);
    }
    expect(await h.fake.calls()).toEqual(expected);
    expect(h.services.calls).toEqual([]);
    expect(h.annotations).toEqual([`chaos ${name} started [chaos,${name}]`]);
  });

  test("network-delay, spelled out", async () => {
    const h = await harness([netemOk]);
    await startScenario(scenario("network-delay"), { app: false }, h.deps);
    expect((await h.fake.calls()).slice(1)).toEqual([
      ["image", "inspect", "--format", "{{.Id}}", TC_IMAGE],
      ["rm", "-f", "pumba-delay"],
      [
        "run",
        "-d",
        "--name",
        "pumba-delay",
        "--label",
        "o11y-lab.chaos=network-delay",
        "-v",
        socket,
        PUMBA_IMAGE,
        "--log-level",
        "info",
        "netem",
        "--duration",
        "5m",
        "--tc-image",
        TC_IMAGE,
        "--pull-image=false",
        "delay",
        "--time",
        "500",
        "--jitter",
        "100",
        "--distribution",
        "normal",
        "re2:^(api-gateway|service-[a-d])$",
      ],
      [...STILL_RUNNING, "pumba-delay"],
    ]);
  });

  test("without netem on the host, a netem scenario falls back to its app-level form and says why", async () => {
    const h = await harness([{ ...netemOk, code: 2, stderr: "Error: Specified qdisc kind is unknown.\n" }]);
    await startScenario(scenario("504-errors"), { app: false }, h.deps);
    expect(await h.fake.calls()).toEqual([NETEM_PROBE]);
    expect(h.services.calls).toEqual([
      'PUT service-d {"latency_ms":6000,"jitter_ms":0,"error_rate":0,"error_status":500}',
    ]);
    expect(h.lines[0]).toBe(
      "warn netem does not work on this Docker host (Error: Specified qdisc kind is unknown.): using app-level faults instead",
    );
    expect(h.annotations).toEqual(["chaos 504-errors started (app-level) [chaos,504-errors]"]);
  });

  test("a scenario without netem does not probe for it", async () => {
    const h = await harness([]);
    await startScenario(scenario("pause-kafka"), { app: false }, h.deps);
    expect((await h.fake.calls()).map((c) => c[0])).toEqual(["rm", "run", "inspect"]);
  });

  test("--app sets the fault flags of each role and touches no container", async () => {
    const h = await harness([]);
    await startScenario(scenario("cascading-errors"), { app: true }, h.deps);
    expect(await h.fake.calls()).toEqual([]);
    expect(h.services.calls).toEqual([
      'PUT service-d {"latency_ms":0,"jitter_ms":0,"error_rate":0.7,"error_status":503}',
      'PUT service-b {"latency_ms":5000,"jitter_ms":2000,"error_rate":0,"error_status":500}',
      'PUT service-a {"latency_ms":200,"jitter_ms":100,"error_rate":0,"error_status":500}',
    ]);
  });

  test("500-errors is app-level even without --app", async () => {
    const h = await harness([]);
    await startScenario(scenario("500-errors"), { app: false }, h.deps);
    expect(await h.fake.calls()).toEqual([]);
    expect(h.services.calls).toEqual([
      'PUT service-a {"latency_ms":0,"jitter_ms":0,"error_rate":0.5,"error_status":500}',
    ]);
  });

  test("kill-random --app faults one of service-b and service-d, at random", async () => {
    const low = await harness([], fakeServices(), 0);
    await startScenario(scenario("kill-random"), { app: true }, low.deps);
    expect(low.services.calls).toEqual([
      'PUT service-b {"latency_ms":0,"jitter_ms":0,"error_rate":1,"error_status":503}',
    ]);
    await fake?.remove();
    const high = await harness([], fakeServices(), 0.99);
    await startScenario(scenario("kill-random"), { app: true }, high.deps);
    expect(high.services.calls).toEqual([
      'PUT service-d {"latency_ms":0,"jitter_ms":0,"error_rate":1,"error_status":503}',
    ]);
  });

  test("stress-postgres pulls its pinned stress-ng image once when it is missing; Pumba is told not to", async () => {
    const h = await harness([
      { match: `image inspect --format {{.Id}} ${STRESS_IMAGE}`, code: 1, stderr: "Error: No such image\n" },
    ]);
    await startScenario(scenario("stress-postgres"), { app: false }, h.deps);
    const calls = await h.fake.calls();
    expect(calls.slice(0, 3)).toEqual([
      ["image", "inspect", "--format", "{{.Id}}", STRESS_IMAGE],
      ["pull", STRESS_IMAGE],
      ["rm", "-f", "pumba-stress-postgres"],
    ]);
    expect(calls[3]?.slice(-5)).toEqual([
      "--stress-image",
      STRESS_IMAGE,
      "--pull-image=false",
      "--stressors=--cpu 2 --io 1 --timeout 120s",
      "postgres",
    ]);
  });

  test("a detached Pumba that exits at once is a failure with its last log line, not 'is on'", async () => {
    const h = await harness([
      { match: `${STILL_RUNNING.join(" ")} pumba-stress-postgres`, stdout: "exited 1\n" },
      { match: "logs --tail 20 pumba-stress-postgres", stderr: 'level=error msg="failed to pull stress image"\n' },
    ]);
    await expect(startScenario(scenario("stress-postgres"), { app: false }, h.deps)).rejects.toThrow(
      'pumba-stress-postgres stopped right after it started (exited, exit code 1): level=error msg="failed to pull stress image"',
    );
    expect(h.slept).toEqual([PUMBA_SETTLE_MS]);
    expect(h.lines.some((l) => l.includes("is on"))).toBe(false);
    expect(h.annotations).toEqual([]);
  });

  test("a failing pumba start is one line with docker's reason", async () => {
    const h = await harness([{ match: "run -d *", code: 125, stderr: "Unable to find image\npull access denied\n" }]);
    await expect(startScenario(scenario("pause-kafka"), { app: false }, h.deps)).rejects.toThrow(
      "docker run failed: pull access denied",
    );
  });

  test("without Docker, a container scenario says to use --app", async () => {
    const h = await harness([]);
    h.deps = { ...h.deps, docker: dockerOnPath({ PATH: "/nonexistent" }) };
    await expect(startScenario(scenario("network-delay"), { app: false }, h.deps)).rejects.toThrow(
      "Docker is not installed (no docker on PATH)",
    );
    await startScenario(scenario("network-delay"), { app: true }, h.deps);
    expect(h.services.calls).toHaveLength(5);
  });

  test("Docker not running during the netem probe is not mistaken for a host without netem", async () => {
    const h = await harness([
      { ...netemOk, code: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n" },
    ]);
    await expect(startScenario(scenario("network-delay"), { app: false }, h.deps)).rejects.toThrow(
      "Docker is not running",
    );
    expect(h.services.calls).toEqual([]);
  });

  test("Docker not running is said plainly", async () => {
    const h = await harness([
      { match: "run -d *", code: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n" },
    ]);
    await expect(startScenario(scenario("pause-kafka"), { app: false }, h.deps)).rejects.toThrow(
      "Docker is not running",
    );
  });
});

const INSPECT = [
  "inspect",
  "--format",
  "{{.Name}} {{.State.Status}}",
  "postgres",
  "kafka",
  "service-d",
  "service-b",
  "service-c",
  "service-a",
  "api-gateway",
];
const psRunning = [
  "ps",
  "--filter",
  "label=o11y-lab.chaos",
  "--format",
  '{{.Names}}\t{{.Status}}\t{{.Label "o11y-lab.chaos"}}',
];
const tcDel = (name: string) => [
  "run",
  "--rm",
  "--pull",
  "never",
  "--network",
  `container:${name}`,
  "--cap-add",
  "NET_ADMIN",
  "--entrypoint",
  "tc",
  TC_IMAGE,
  "qdisc",
  "del",
  "dev",
  "eth0",
  "root",
];

const AFTER_CHAOS: FakeRule[] = [
  {
    match: "ps --filter label=o11y-lab.chaos *",
    stdout: "pumba-delay\tUp 2 minutes\tnetwork-delay\npumba-503-errors\tUp 1 minute\t503-errors\n",
  },
  {
    match: "ps -a --filter label=o11y-lab.chaos *",
    stdout: "pumba-delay\tExited (0)\tnetwork-delay\npumba-pause-kafka\tExited (0) 3 minutes ago\tpause-kafka\n",
  },
  { match: "ps -aq --filter label=com.gaiaadm.pumba.skip", stdout: "4f2a9c\n" },
  {
    match: "inspect *",
    stdout:
      "/postgres running\n/kafka paused\n/service-d exited\n/service-b running\n/service-c running\n/service-a running\n/api-gateway exited\n",
  },
  { match: "image inspect *", stdout: "sha256:abc\n" },
  { match: "run --rm --pull never *", code: 2, stderr: "Error: Cannot delete qdisc with handle of zero.\n" },
];

describe("chaos stop|clean|status|preflight", () => {
  test("stop restores everything: pumba stopped, killed started, paused unpaused, netem removed, flags cleared", async () => {
    const services = fakeServices({ "service-a": { ...NO_FAULT, error_rate: 0.5, error_status: 503 } });
    const h = await harness(AFTER_CHAOS, services);
    await stopChaos(h.deps);
    expect(await h.fake.calls()).toEqual([
      psRunning,
      ["stop", "pumba-delay", "pumba-503-errors"],
      INSPECT,
      ["unpause", "kafka"],
      ["start", "service-d", "api-gateway"],
      ["image", "inspect", "--format", "{{.Id}}", TC_IMAGE],
      ...["postgres", "kafka", "service-d", "service-b", "service-c", "service-a", "api-gateway"].map(tcDel),
    ]);
    expect(services.calls.filter((c) => !c.startsWith("GET"))).toEqual(["DELETE service-a"]);
    expect(h.annotations).toEqual(["chaos stopped [chaos,stop,network-delay,503-errors]"]);
    expect(h.lines.at(-1)).toStartWith("success chaos stopped");
  });

  test("stop with nothing to undo only looks", async () => {
    const h = await harness([
      { match: "inspect *", stdout: "/postgres running\n/api-gateway running\n" },
      { match: "image inspect *", code: 1, stderr: "Error: No such image\n" },
    ]);
    await stopChaos(h.deps);
    expect(await h.fake.calls()).toEqual([psRunning, INSPECT, ["image", "inspect", "--format", "{{.Id}}", TC_IMAGE]]);
  });

  test("stop without Docker still clears the fault flags", async () => {
    const services = fakeServices({ "service-d": { ...NO_FAULT, latency_ms: 6000 } });
    const h = await harness([], services);
    h.deps = { ...h.deps, docker: dockerOnPath({ PATH: "/nonexistent" }) };
    await stopChaos(h.deps);
    expect(h.lines[0]).toBe("warn Docker is not installed (no docker on PATH): containers left as they are");
    expect(services.calls).toContain("DELETE service-d");
  });

  test("clean: stop, then remove every chaos and helper container", async () => {
    const h = await harness(AFTER_CHAOS);
    await cleanChaos(h.deps);
    const calls = await h.fake.calls();
    expect(calls.slice(-3)).toEqual([
      [
        "ps",
        "-a",
        "--filter",
        "label=o11y-lab.chaos",
        "--format",
        '{{.Names}}\t{{.Status}}\t{{.Label "o11y-lab.chaos"}}',
      ],
      ["ps", "-aq", "--filter", "label=com.gaiaadm.pumba.skip"],
      ["rm", "-f", "pumba-delay", "pumba-pause-kafka", "4f2a9c"],
    ]);
    expect(calls[1]).toEqual(["stop", "pumba-delay", "pumba-503-errors"]);
  });

  test("status lists chaos containers, containers down and fault flags", async () => {
    const services = fakeServices({ "service-d": { ...NO_FAULT, latency_ms: 6000 } }, ["service-c"]);
    const h = await harness(AFTER_CHAOS, services);
    await chaosStatus(h.deps);
    expect(h.lines).toEqual([
      "log pumba-delay              network-delay        Exited (0)",
      "log pumba-pause-kafka        pause-kafka          Exited (0) 3 minutes ago",
      "log api-gateway is exited: o11y-lab chaos stop brings it back",
      "log service-d is exited: o11y-lab chaos stop brings it back",
      "log kafka is paused: o11y-lab chaos stop brings it back",
      "log service-d fault flags: +6000 ms",
    ]);
  });

  test("preflight tells which kinds of chaos this host supports", async () => {
    const h = await harness(
      [
        { match: "version *", stdout: "28.5.1\n" },
        { ...netemOk, code: 2, stderr: "Error: Specified qdisc kind is unknown.\n" },
      ],
      fakeServices({}, ["service-c"]),
    );
    expect(await preflight(h.deps)).toEqual({ containers: true, netem: false, app: 4 });
    expect(h.lines).toEqual([
      "success container faults (kill, pause, stress): yes, Docker 28.5.1",
      "warn network faults (netem): no (Error: Specified qdisc kind is unknown.); those scenarios use app-level faults automatically",
      "warn app-level faults (--app): 4 of 5 services answer /admin/faults; start the lab with: o11y-lab up",
    ]);
  });
});
