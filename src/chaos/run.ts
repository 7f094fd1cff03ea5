import { LabError } from "../errors.ts";
import { isRoleName, ROLE_NAMES, type RoleName } from "../roles.ts";
import type { Docker } from "../stack/docker.ts";
import {
  type AppFault,
  CHAOS_TARGETS,
  type ChaosScenario,
  helperImages,
  needsNetem,
  PUMBA_IMAGE,
  type PumbaRun,
  TC_IMAGE,
} from "./catalogue.ts";
import { dockerNotRunning, dockerOk, NOT_RUNNING } from "./docker.ts";
import { type FaultClient, isFaulty } from "./faults.ts";

/** Label on every Pumba container the lab starts: how stop, clean and status find them. */
export const CHAOS_LABEL = "o11y-lab.chaos";
/** Pumba drives the Docker engine it runs on. */
const DOCKER_SOCKET = "/var/run/docker.sock:/var/run/docker.sock";
/** Pumba's helper containers (tc, stress-ng) carry this label so that Pumba never picks them as targets. */
const PUMBA_HELPER_LABEL = "com.gaiaadm.pumba.skip";
/** How long a detached Pumba must stay up before it counts as started: bad flags or a missing image end it sooner. */
export const PUMBA_SETTLE_MS = 2000;
/** The order `chaos stop` brings containers back in: dependencies first, as compose started them. */
const RESTORE_ORDER = ["postgres", "kafka", "service-d", "service-b", "service-c", "service-a", "api-gateway"];

export interface ChaosLog {
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  log(message: string): void;
}

/** Everything chaos touches, passed in: the docker CLI, the services' fault endpoints, Grafana, chance. */
export interface ChaosDeps {
  readonly docker: Docker;
  readonly faults: FaultClient;
  readonly annotate: (text: string, tags: readonly string[]) => Promise<unknown>;
  readonly log: ChaosLog;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** `docker run` for one Pumba container: labelled with its scenario, detached unless it is a one-shot. */
export function pumbaRunArgs(scenario: ChaosScenario, run: PumbaRun): string[] {
  return [
    "run",
    ...(scenario.foreground ? ["--rm"] : ["-d"]),
    "--name",
    run.container,
    "--label",
    `${CHAOS_LABEL}=${scenario.name}`,
    "-v",
    DOCKER_SOCKET,
    PUMBA_IMAGE,
    ...run.args,
  ];
}

/** `tc` in a throwaway container of its own: does this Docker host's kernel have netem? */
export const NETEM_PROBE = [
  "run",
  "--rm",
  "--cap-add",
  "NET_ADMIN",
  "--entrypoint",
  "tc",
  TC_IMAGE,
  "qdisc",
  "add",
  "dev",
  "eth0",
  "root",
  "netem",
  "delay",
  "1ms",
];

/** Whether netem works here, and if not, docker's own words for why (Docker Desktop on Apple silicon, WSL2). */
export async function probeNetem(docker: Docker): Promise<{ ok: boolean; reason: string }> {
  const result = await docker.capture(NETEM_PROBE);
  if (result.code !== 0 && NOT_RUNNING.test(result.stderr)) throw dockerNotRunning();
  const reason = result.stderr.trim().split("\n").at(-1) ?? "";
  return { ok: result.code === 0, reason: result.code === 0 ? "" : reason || `exit code ${result.code}` };
}

function describeFault(fault: AppFault): string {
  const parts: string[] = [];
  if (fault.latency_ms) parts.push(`+${fault.latency_ms}${fault.jitter_ms ? ` ± ${fault.jitter_ms}` : ""} ms`);
  if (fault.error_rate) parts.push(`${fault.error_rate * 100}% answered ${fault.error_status ?? 500}`);
  return parts.join(", ");
}

/** The roles an app-level scenario sets, with their faults (one picked at random for kill-random). */
export function appFaults(scenario: ChaosScenario, random: () => number): [RoleName, AppFault][] {
  const entries = Object.entries(scenario.app.faults).filter((e): e is [RoleName, AppFault] => isRoleName(e[0]));
  if (!scenario.app.pickOne) return entries;
  const picked = entries[Math.floor(random() * entries.length)];
  return picked ? [picked] : [];
}

async function startApp(scenario: ChaosScenario, deps: ChaosDeps): Promise<void> {
  for (const [role, fault] of appFaults(scenario, deps.random)) {
    await deps.faults.set(role, fault);
    deps.log.info(`${role}: ${describeFault(fault)}`);
  }
  deps.log.success(`${scenario.name} (app-level) is on: ${scenario.app.expect}`);
}

/** Pulls each pinned helper image that is not here yet, once: Pumba itself is told never to pull (catalogue.ts). */
async function ensureHelperImages(scenario: ChaosScenario, deps: ChaosDeps): Promise<void> {
  for (const image of helperImages(scenario)) {
    const present = await deps.docker.capture(["image", "inspect", "--format", "{{.Id}}", image]);
    if (present.code === 0) continue;
    if (NOT_RUNNING.test(present.stderr)) throw dockerNotRunning();
    deps.log.info(`pulling ${image} (once: Pumba's helper for ${scenario.name})`);
    const code = await deps.docker.attach(["pull", image]);
    if (code !== 0) throw new LabError(`docker pull ${image} failed (exit ${code})`, "see Docker's messages above");
  }
}

/** A detached Pumba that is gone right after its start did nothing: say so, with its own last words. */
async function checkStillRunning(container: string, deps: ChaosDeps): Promise<void> {
  await deps.sleep(PUMBA_SETTLE_MS);
  const state = await deps.docker.capture(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", container]);
  const [status = "", exitCode = ""] = state.stdout.trim().split(" ");
  if (state.code === 0 && status === "running") return;
  const logs = await deps.docker.capture(["logs", "--tail", "20", container]);
  const last = `${logs.stdout}\n${logs.stderr}`.trim().split("\n").filter(Boolean).at(-1)?.trim();
  throw new LabError(
    `${container} stopped right after it started (${status || "gone"}${exitCode ? `, exit code ${exitCode}` : ""})${last ? `: ${last}` : ""}`,
    `see docker logs ${container}; o11y-lab chaos clean removes it`,
  );
}

async function startPumba(scenario: ChaosScenario, deps: ChaosDeps): Promise<void> {
  await ensureHelperImages(scenario, deps);
  for (const run of scenario.pumba) {
    await deps.docker.capture(["rm", "-f", run.container]);
    const args = pumbaRunArgs(scenario, run);
    if (scenario.foreground) {
      const code = await deps.docker.attach(args);
      if (code !== 0) throw new LabError(`pumba exited with ${code}`, "is the lab up? o11y-lab status");
    } else {
      await dockerOk(deps.docker, args, "is the lab up? o11y-lab status");
      await checkStillRunning(run.container, deps);
      deps.log.info(`started ${run.container}`);
    }
  }
  deps.log.success(`${scenario.name} is on: ${scenario.expect}`);
}

/**
 * Starts a scenario: its Pumba containers, or its app-level faults with `app`, when it has no container form, or
 * when it needs netem and this host has none (then it says so and why). Answers which form runs.
 */
export async function startScenario(
  scenario: ChaosScenario,
  options: { app: boolean },
  deps: ChaosDeps,
): Promise<{ app: boolean }> {
  let app = options.app || scenario.pumba.length === 0;
  if (!app && !deps.docker.path) {
    throw new LabError(
      "Docker is not installed (no docker on PATH)",
      `use the services' fault flags instead: o11y-lab chaos ${scenario.name} --app`,
    );
  }
  if (!app && needsNetem(scenario)) {
    const netem = await probeNetem(deps.docker);
    if (!netem.ok) {
      deps.log.warn(`netem does not work on this Docker host (${netem.reason}): using app-level faults instead`);
      app = true;
    }
  }
  if (app) await startApp(scenario, deps);
  else await startPumba(scenario, deps);
  deps.log.log(`  duration: ${scenario.duration}${app ? " (app-level faults stay until chaos stop)" : ""}`);
  deps.log.log(`  grafana:  ${scenario.grafana}`);
  deps.log.log("  stop it:  o11y-lab chaos stop");
  await deps.annotate(`chaos ${scenario.name} started${app ? " (app-level)" : ""}`, ["chaos", scenario.name]);
  return { app };
}

/** Lines of `docker inspect` → name → state, for the containers that exist. */
async function containerStates(docker: Docker): Promise<Map<string, string>> {
  const result = await docker.capture(["inspect", "--format", "{{.Name}} {{.State.Status}}", ...RESTORE_ORDER]);
  const states = new Map<string, string>();
  for (const line of result.stdout.split("\n")) {
    const [name, state] = line.trim().replace(/^\//, "").split(" ");
    if (name && state) states.set(name, state);
  }
  return states;
}

/** The lab's chaos containers: name, status and scenario, running ones only unless `all`. */
async function chaosContainers(
  docker: Docker,
  all: boolean,
): Promise<{ name: string; status: string; scenario: string }[]> {
  const format = `{{.Names}}\t{{.Status}}\t{{.Label "${CHAOS_LABEL}"}}`;
  const args = ["ps", ...(all ? ["-a"] : []), "--filter", `label=${CHAOS_LABEL}`, "--format", format];
  const stdout = await dockerOk(docker, args);
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name = "", status = "", scenario = ""] = line.split("\t");
      return { name, status, scenario };
    });
}

/** Stops the Pumba containers, starts what was killed, unpauses what was paused; returns the scenarios stopped. */
async function restoreContainers(deps: ChaosDeps): Promise<string[]> {
  const { docker, log } = deps;
  const running = await chaosContainers(docker, false);
  if (running.length > 0) {
    // SIGTERM: Pumba removes its netem rules and unpauses its targets on the way out.
    await dockerOk(docker, ["stop", ...running.map((c) => c.name)]);
    log.info(`stopped ${running.map((c) => c.name).join(", ")}`);
  }

  const states = await containerStates(docker);
  const paused = RESTORE_ORDER.filter((name) => states.get(name) === "paused");
  const down = RESTORE_ORDER.filter((name) => ["exited", "created", "dead"].includes(states.get(name) ?? ""));
  if (paused.length > 0) {
    await dockerOk(docker, ["unpause", ...paused]);
    log.info(`unpaused ${paused.join(", ")}`);
  }
  if (down.length > 0) {
    await dockerOk(docker, ["start", ...down]);
    log.info(`started ${down.join(", ")}`);
  }

  // A Pumba that was killed rather than stopped leaves its netem qdisc behind. If the tc image was never
  // pulled, no netem scenario ever ran here.
  const tcImage = await docker.capture(["image", "inspect", "--format", "{{.Id}}", TC_IMAGE]);
  if (tcImage.code === 0) {
    for (const name of RESTORE_ORDER.filter((n) => states.has(n))) {
      await docker.capture([
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
      ]);
    }
    log.info("removed leftover netem rules");
  }
  return [...new Set(running.map((c) => c.scenario).filter(Boolean))];
}

/**
 * Undoes all chaos: Pumba containers stopped, killed containers started, paused ones unpaused, leftover netem
 * rules removed, the services' fault flags cleared. Without Docker (services run by `serve`), only the flags.
 */
export async function stopChaos(deps: ChaosDeps): Promise<void> {
  let scenarios: string[] = [];
  try {
    scenarios = await restoreContainers(deps);
  } catch (error) {
    if (!(error instanceof LabError)) throw error;
    deps.log.warn(`${error.message}: containers left as they are`);
  }
  const cleared = await clearAppFaults(deps);
  if (cleared.length > 0) deps.log.info(`cleared fault flags on ${cleared.join(", ")}`);
  await deps.annotate("chaos stopped", ["chaos", "stop", ...scenarios]);
  deps.log.success("chaos stopped: every container is running and no fault flag is set");
}

/** Clears every role's flags; returns the roles that had any. Roles that do not answer are left alone. */
async function clearAppFaults(deps: ChaosDeps): Promise<RoleName[]> {
  const results = await Promise.allSettled(
    ROLE_NAMES.map(async (role) => {
      const before = await deps.faults.get(role);
      if (!isFaulty(before)) return undefined;
      await deps.faults.clear(role);
      return role;
    }),
  );
  return results.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
}

/** `chaos stop`, then removes the Pumba containers (finished ones too) and any helper container left behind. */
export async function cleanChaos(deps: ChaosDeps): Promise<void> {
  await stopChaos(deps);
  const leftovers = [
    ...(await chaosContainers(deps.docker, true)).map((c) => c.name),
    ...(await dockerOk(deps.docker, ["ps", "-aq", "--filter", `label=${PUMBA_HELPER_LABEL}`])).split("\n"),
  ].filter(Boolean);
  if (leftovers.length > 0) {
    await dockerOk(deps.docker, ["rm", "-f", ...leftovers]);
    deps.log.info(`removed ${leftovers.length} chaos container${leftovers.length === 1 ? "" : "s"}`);
  }
  deps.log.success("chaos cleaned up");
}

/** What is going on: chaos containers, containers not running, fault flags. */
export async function chaosStatus(deps: ChaosDeps): Promise<void> {
  const { docker, log } = deps;
  try {
    const containers = await chaosContainers(docker, true);
    if (containers.length === 0) log.log("no chaos containers");
    for (const c of containers) log.log(`${c.name.padEnd(24)} ${c.scenario.padEnd(20)} ${c.status}`);
    const states = await containerStates(docker);
    for (const name of CHAOS_TARGETS) {
      const state = states.get(name);
      if (state && state !== "running") log.log(`${name} is ${state}: o11y-lab chaos stop brings it back`);
    }
  } catch (error) {
    if (!(error instanceof LabError)) throw error;
    log.warn(`${error.message}: no container information`);
  }
  for (const role of ROLE_NAMES) {
    const faults = await deps.faults.get(role).catch(() => undefined);
    if (faults && isFaulty(faults)) log.log(`${role} fault flags: ${describeFault(faults)}`);
  }
}

/** Which kinds of chaos this host supports: containers (kill, pause, stress), netem, app-level flags. */
export async function preflight(deps: ChaosDeps): Promise<{ containers: boolean; netem: boolean; app: number }> {
  const { docker, log } = deps;
  const version = await docker.capture(["version", "--format", "{{.Server.Version}}"]);
  const containers = version.code === 0;
  if (containers) log.success(`container faults (kill, pause, stress): yes, Docker ${version.stdout.trim()}`);
  else log.warn("container faults (kill, pause, stress): no, Docker is not answering");

  const netem = containers ? await probeNetem(docker) : { ok: false, reason: "no Docker" };
  if (netem.ok) log.success("network faults (netem delay, loss, corrupt): yes");
  else log.warn(`network faults (netem): no (${netem.reason}); those scenarios use app-level faults automatically`);

  const answering = await Promise.all(
    ROLE_NAMES.map((role) =>
      deps.faults.get(role).then(
        () => true,
        () => false,
      ),
    ),
  );
  const app = answering.filter(Boolean).length;
  const line = `app-level faults (--app): ${app} of ${ROLE_NAMES.length} services answer /admin/faults`;
  if (app === ROLE_NAMES.length) log.success(line);
  else log.warn(`${line}; start the lab with: o11y-lab up`);
  return { containers, netem: netem.ok, app };
}
