import { defineCommand } from "citty";
import { formatDuration, K6_TEST_NAMES, type K6TestName, shapeOf } from "../k6/catalog.ts";

/** `k6 list`: each test with its duration and peak VUs, computed from the stages the script runs. */
export function listText(): string {
  return K6_TEST_NAMES.map((name) => {
    const shape = shapeOf(name);
    const vus = `${shape.peakVus} VU${shape.peakVus === 1 ? "" : "s"}`;
    const thresholds = Object.entries(shape.thresholds)
      .map(([metric, rules]) => `${metric} ${rules.join(", ")}`)
      .join("; ");
    return `${name.padEnd(7)} ${formatDuration(shape.seconds).padEnd(6)} up to ${vus.padEnd(8)} ${shape.summary}\n${" ".repeat(8)}thresholds: ${thresholds}`;
  }).join("\n");
}

function testCommand(name: K6TestName) {
  const shape = shapeOf(name);
  return defineCommand({
    meta: {
      name,
      description: `${shape.summary} (${formatDuration(shape.seconds)}, up to ${shape.peakVus} VUs)`,
    },
    args: {
      local: {
        type: "boolean",
        description: "Run the k6 installed on this machine against 127.0.0.1 instead of the grafana/k6 image",
        default: false,
      },
      vus: {
        type: "string",
        description: `A constant load of this many VUs instead of the script's ramp (default with --duration: ${shape.peakVus})`,
      },
      duration: {
        type: "string",
        description: `Run this long at a constant load, e.g. 10m or 90s (default with --vus: ${formatDuration(shape.seconds)})`,
      },
      background: {
        type: "boolean",
        description: "Return at once; k6's output and its report path go to a log in the reports folder",
        default: false,
      },
    },
    async run({ args }) {
      const { join } = await import("node:path");
      const { consola } = await import("consola");
      const { constantLoad, requireLabNetwork, runK6, shapeText, startInBackground } = await import("../k6/run.ts");
      const { docker } = await import("../stack/docker.ts");
      const { stateDir } = await import("../stack/state.ts");
      const load = constantLoad(name, { vus: args.vus, duration: args.duration });
      const log = consola.withTag("k6");
      const dir = join(stateDir(), "k6");
      if (args.background) {
        if (!args.local) await requireLabNetwork(docker());
        const { selfCommand } = await import("../self.ts");
        const flags = [
          ...(args.local ? ["--local"] : []),
          ...(load ? ["--vus", String(load.vus), "--duration", load.duration] : []),
        ];
        const started = await startInBackground([...selfCommand(), "k6", name, ...flags], name, {
          dir,
          now: () => new Date(),
          env: process.env,
        });
        log.success(`k6 ${name} runs in the background (pid ${started.pid}): ${shapeText(name, load)}`);
        log.info(`output: ${started.log} (its last lines give the report's path); stop it early: kill ${started.pid}`);
        return;
      }
      const { annotate } = await import("../chaos/grafana.ts");
      const code = await runK6(
        name,
        { local: args.local, load },
        {
          docker: docker(),
          dir,
          log,
          annotate: (text, tags) => annotate(text, tags),
          now: () => new Date(),
          tty: Boolean(process.stdout.isTTY),
          user: process.getuid && process.getgid ? `${process.getuid()}:${process.getgid()}` : undefined,
          env: process.env,
        },
      );
      // k6's own exit code: 99 when a threshold was crossed, so scripts and CI can tell.
      process.exitCode = code;
    },
  });
}

export default defineCommand({
  meta: {
    name: "k6",
    description: "Load tests in the pinned grafana/k6 image on the lab's network: smoke, load, stress, spike, list",
  },
  subCommands: {
    list: defineCommand({
      meta: { name: "list", description: "Each test with its duration, peak VUs and thresholds" },
      run() {
        console.log(listText());
      },
    }),
    ...Object.fromEntries(K6_TEST_NAMES.map((name) => [name, testCommand(name)])),
  },
});
