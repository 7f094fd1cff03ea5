import { defineCommand } from "citty";
import { type ChaosGroup, type ChaosScenario, SCENARIOS } from "../chaos/catalogue.ts";
import type { ChaosDeps } from "../chaos/run.ts";
import type { WatchDeps } from "../verdict/chaos-watch.ts";
import { BACKEND_ARGS, type BackendFlags } from "../verdict/flags.ts";

const GROUPS: Record<ChaosGroup, string> = {
  basic: "Basic",
  service: "Service-specific",
  complex: "Complex",
  "http-errors": "HTTP error demos",
};

/** `chaos list`: per scenario what it does, its targets, how long, what it produces, where to look. */
export function listText(): string {
  const blocks: string[] = [];
  for (const [group, title] of Object.entries(GROUPS)) {
    blocks.push(`${title}:`);
    for (const s of SCENARIOS.filter((scenario) => scenario.group === group)) {
      blocks.push(
        [
          `  ${s.name}  (${s.targets.join(", ")}; ${s.duration}${s.pumba.length === 0 ? "; app-level only" : ""})`,
          `    does:    ${s.does}`,
          `    expect:  ${s.expect}`,
          `    grafana: ${s.grafana}`,
          `    --app:   ${s.app.expect}`,
        ].join("\n"),
      );
    }
  }
  blocks.push("Stop any of them, and bring back what they killed or paused: o11y-lab chaos stop");
  return blocks.join("\n");
}

async function deps(grafanaUrl?: string, services = ""): Promise<ChaosDeps> {
  const { consola } = await import("consola");
  const { annotate } = await import("../chaos/grafana.ts");
  const { faultClient, roleUrls } = await import("../tui/actions.ts");
  const { docker } = await import("../stack/docker.ts");
  return {
    docker: docker(),
    faults: faultClient(roleUrls(services)),
    annotate: (text, tags) => annotate(text, tags, grafanaUrl ? { url: grafanaUrl } : {}),
    log: consola.withTag("chaos"),
    random: Math.random,
    sleep: (ms) => Bun.sleep(ms),
  };
}

const WATCH = {
  type: "boolean",
  description: "Watch the hypothesis live until PASS or FAIL (non-zero exit on FAIL)",
  default: false,
} as const;

/** The chaos runner plus the backends its hypothesis is measured on, from the shared flags. */
async function watchDeps(args: BackendFlags): Promise<WatchDeps> {
  const { backends } = await import("../verdict/flags.ts");
  const { liveLine } = await import("../verdict/live.ts");
  return {
    chaos: await deps(args.grafana, args.services),
    backends: backends(args),
    watch: { sleep: (ms) => Bun.sleep(ms), now: Date.now, ...liveLine(process.stdout) },
  };
}

function scenarioCommand(scenario: ChaosScenario) {
  return defineCommand({
    meta: { name: scenario.name, description: `${scenario.does} (${scenario.duration})` },
    args: {
      app: {
        type: "boolean",
        description: "Use the services' fault flags instead of Pumba (automatic where netem does not work)",
        default: false,
      },
      watch: WATCH,
      ...BACKEND_ARGS,
    },
    async run({ args }) {
      const { startWatched } = await import("../verdict/chaos-watch.ts");
      await startWatched(scenario, { app: args.app, watch: args.watch }, await watchDeps(args));
    },
  });
}

export default defineCommand({
  meta: {
    name: "chaos",
    description: "Chaos scenarios with Pumba or the services' fault flags: chaos list, <scenario> [--app], stop",
  },
  subCommands: {
    list: defineCommand({
      meta: { name: "list", description: "What each scenario does, its targets, duration and what to see in Grafana" },
      run() {
        console.log(listText());
      },
    }),
    status: defineCommand({
      meta: { name: "status", description: "Chaos containers, containers down or paused, fault flags set" },
      async run() {
        const { chaosStatus } = await import("../chaos/run.ts");
        await chaosStatus(await deps());
      },
    }),
    stop: defineCommand({
      meta: {
        name: "stop",
        description: "Stop all chaos: Pumba containers, netem rules, fault flags; restart killed, unpause paused",
      },
      args: {
        watch: { ...WATCH, description: "Watch the last scenario's measure come back, until PASS or FAIL" },
        ...BACKEND_ARGS,
      },
      async run({ args }) {
        const { stopWatched } = await import("../verdict/chaos-watch.ts");
        await stopWatched({ watch: args.watch }, await watchDeps(args));
      },
    }),
    clean: defineCommand({
      meta: { name: "clean", description: "chaos stop, then remove every chaos container, finished ones too" },
      async run() {
        const { cleanChaos } = await import("../chaos/run.ts");
        await cleanChaos(await deps());
      },
    }),
    preflight: defineCommand({
      meta: { name: "preflight", description: "Which kinds of chaos this host supports: containers, netem, app-level" },
      async run() {
        const { preflight } = await import("../chaos/run.ts");
        await preflight(await deps());
      },
    }),
    ...Object.fromEntries(SCENARIOS.map((s) => [s.name, scenarioCommand(s)])),
  },
});
