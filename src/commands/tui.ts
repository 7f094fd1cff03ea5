import { defineCommand } from "citty";
import { LabError } from "../errors.ts";
import { K6_TEST_NAMES } from "../k6/catalog.ts";
import { roleUrls, subprocessActions } from "../tui/actions.ts";
import { Prometheus, PrometheusError } from "../tui/prometheus.ts";
import { HISTORY_SECONDS, render, sparkWidth } from "../tui/render.ts";
import { readHistory, readSnapshot } from "../tui/snapshot.ts";
import { initialState } from "../tui/state.ts";

const UNREACHABLE_HINT = "start the stack with `o11y-lab up`, or pass --prometheus URL";

export default defineCommand({
  meta: {
    name: "tui",
    description: "Live RED per service (rate, errors, p50/p95/p99), Kafka and Postgres; keys start k6 and chaos",
  },
  args: {
    prometheus: { type: "string", description: "Prometheus URL", default: "http://127.0.0.1:9090" },
    tempo: { type: "string", description: "Tempo URL (slow/error trace search)", default: "http://127.0.0.1:3200" },
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
    if (!(interval >= 0.5))
      throw new LabError(`--interval ${args.interval} is not a number of seconds`, "use e.g. --interval 2");
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;

    if (args.once || args.json) {
      const prometheus = new Prometheus(args.prometheus);
      try {
        const now = Date.now() / 1000;
        const snapshot = await readSnapshot(prometheus, now);
        if (args.json) {
          console.log(JSON.stringify(snapshot, null, 2));
          return;
        }
        const width = process.stdout.columns || 100;
        const height = process.stdout.rows || 24;
        const history = await readHistory(prometheus, now, HISTORY_SECONDS, sparkWidth(width));
        const state = initialState({
          now: Date.now(),
          prometheusUrl: args.prometheus,
          tempoUrl: args.tempo,
          grafanaUrl: args.grafana,
          interval,
          k6Scenarios: K6_TEST_NAMES,
          chaos: [],
        });
        const frame = render({ ...state, snapshot, history }, { width, height, color });
        console.log(frame.join("\n").trimEnd());
      } catch (error) {
        if (error instanceof PrometheusError) throw new LabError(error.message, UNREACHABLE_HINT);
        throw error;
      }
      return;
    }

    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new LabError("tui needs a terminal", "run it in one, or use --once / --json for scripts");
    }
    const { runTui } = await import("../tui/app.ts");
    await runTui({
      prometheus: args.prometheus,
      tempo: args.tempo,
      grafana: args.grafana,
      interval,
      color,
      roleUrls: roleUrls(args.services),
      actions: subprocessActions(),
      k6Scenarios: K6_TEST_NAMES,
      chaos: [],
    });
    process.exit(0);
  },
});
