/** `tui --once` and `tui --json`: one reading, printed for scripts, CI and bug reports. */
import { LabError } from "../errors.ts";
import { faultClient, readFaults } from "./actions.ts";
import { probeStack } from "./health.ts";
import { Prometheus, PrometheusError } from "./prometheus.ts";
import { render } from "./render.ts";
import { readHistory, readSnapshot } from "./snapshot.ts";
import { sourceAnswered, type TuiState } from "./state.ts";
import { sparkWidth } from "./table.ts";

/** Prints the numbers (`json`) or one frame as wide as the terminal (100 columns when there is none). */
export async function printOnce(
  state: TuiState,
  options: { json: boolean; color: boolean; roleUrls: Record<string, string> },
) {
  const prometheus = new Prometheus(state.prometheusUrl);
  try {
    const now = state.now / 1000;
    const snapshot = await readSnapshot(prometheus, now);
    if (options.json) {
      console.log(JSON.stringify(snapshot, null, 2));
      return;
    }
    const width = process.stdout.columns || 100;
    const height = process.stdout.rows || 24;
    const [history, faults, health] = await Promise.all([
      readHistory(prometheus, now, state.window, sparkWidth(width)),
      readFaults(faultClient(options.roleUrls)),
      probeStack(state.tempoUrl, state.lokiUrl, state.grafanaUrl),
    ]);
    const read = sourceAnswered(state, "prometheus", null);
    const frame = render({ ...read, snapshot, history, faults, health }, { width, height, color: options.color });
    // No key hints and no empty screen rows: nothing here reads keys.
    console.log(
      frame
        .slice(0, -1)
        .join("\n")
        .replace(/\n{3,}/g, "\n\n")
        .trimEnd(),
    );
  } catch (error) {
    if (error instanceof PrometheusError) {
      throw new LabError(error.message, "start the stack with `o11y-lab up`, or pass --prometheus URL");
    }
    throw error;
  }
}
