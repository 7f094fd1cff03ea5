import { defineCommand } from "citty";
import { LabError } from "../errors.ts";
import { K6_TEST_NAMES } from "../k6/catalog.ts";
import { chaosMenu, labActions, roleUrls } from "../tui/actions.ts";
import { initialState } from "../tui/state.ts";

export default defineCommand({
  meta: {
    name: "tui",
    description: "Live RED per service, Kafka and Postgres; traces and logs in the terminal; keys start k6 and chaos",
  },
  args: {
    prometheus: { type: "string", description: "Prometheus URL", default: "http://127.0.0.1:9090" },
    tempo: { type: "string", description: "Tempo URL (slow/error trace search)", default: "http://127.0.0.1:3200" },
    loki: { type: "string", description: "Loki URL (the log pane)", default: "http://127.0.0.1:3100" },
    grafana: {
      type: "string",
      description: "Grafana URL (links to traces and dashboards)",
      default: "http://127.0.0.1:3000",
    },
    services: {
      type: "string",
      description: "Role URLs for fault flags, when not on 127.0.0.1:<port> (role=url,role=url)",
      default: "",
    },
    interval: { type: "string", description: "Seconds between refreshes", default: "2" },
    once: { type: "boolean", description: "Print one frame to stdout and exit", default: false },
    json: { type: "boolean", description: "Print the numbers as JSON and exit", default: false },
  },
  async run({ args }) {
    const interval = Number(args.interval);
    if (!(interval >= 0.5)) {
      throw new LabError(`--interval ${args.interval} is not a number of seconds`, "use e.g. --interval 2");
    }
    // https://no-color.org: set and not empty means no color.
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    const urls = roleUrls(args.services);
    const state = initialState({
      now: Date.now(),
      prometheusUrl: args.prometheus,
      tempoUrl: args.tempo,
      lokiUrl: args.loki,
      grafanaUrl: args.grafana,
      interval,
      k6Scenarios: K6_TEST_NAMES,
      chaos: chaosMenu(),
    });

    if (args.once || args.json) {
      const { printOnce } = await import("../tui/once.ts");
      await printOnce(state, { json: args.json, color, roleUrls: urls });
      return;
    }
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new LabError("tui needs a terminal", "run it in one, or use --once / --json for scripts");
    }
    const { runTui } = await import("../tui/app.ts");
    await runTui(state, { color, roleUrls: urls, actions: labActions({ roleUrls: urls, grafanaUrl: args.grafana }) });
    process.exit(0);
  },
});
