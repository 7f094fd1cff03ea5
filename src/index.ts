#!/usr/bin/env bun
import { type CommandDef, defineCommand, runCommand, showUsage } from "citty";
import { resolveSubCommand } from "./commands/_usage.ts";
import { formatError, LabError } from "./errors.ts";
import { VERSION } from "./version.ts";

type Lazy = () => Promise<CommandDef>;
/** A subcommand loaded only when it is the one being run. */
const lazy =
  (load: () => Promise<{ default: unknown }>): Lazy =>
  () =>
    load().then((m) => m.default as CommandDef);

/** Commands as a table of lazy imports: `o11y-lab serve` never loads the TUI, and the reverse. */
export const main = defineCommand({
  meta: { name: "o11y-lab", version: VERSION, description: "A complete, hands-on OpenTelemetry lab in one binary" },
  subCommands: {
    serve: lazy(() => import("./commands/serve.ts")),
    tui: lazy(() => import("./commands/tui.ts")),
    up: lazy(() => import("./commands/up.ts")),
    down: lazy(() => import("./commands/down.ts")),
    status: lazy(() => import("./commands/status.ts")),
    logs: lazy(() => import("./commands/logs.ts")),
    probe: lazy(() => import("./commands/probe.ts")),
    k6: lazy(() => import("./commands/k6.ts")),
    chaos: lazy(() => import("./commands/chaos.ts")),
    doctor: lazy(() => import("./commands/doctor.ts")),
    report: lazy(() => import("./commands/report.ts")),
    lab: lazy(() => import("./commands/lab.ts")),
    k8s: lazy(() => import("./commands/k8s.ts")),
  },
});

async function run(rawArgs: string[]): Promise<void> {
  if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v")) {
    console.log(VERSION);
    return;
  }
  if (rawArgs.length === 0 || rawArgs.includes("--help") || rawArgs.includes("-h")) {
    const { command, parent } = await resolveSubCommand(main, rawArgs);
    await showUsage(command, parent);
    return;
  }
  try {
    await runCommand(main, { rawArgs });
  } catch (error) {
    if ((error as { code?: string }).code !== "E_UNKNOWN_COMMAND") throw error;
    // Point at the help of the command whose subcommand was mistyped: `o11y-lab k6 --help`, not the top level.
    const { path } = await resolveSubCommand(main, rawArgs);
    throw new LabError((error as Error).message, `run ${["o11y-lab", ...path, "--help"].join(" ")}`);
  }
}

if (import.meta.main) {
  run(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`o11y-lab: ${formatError(error)}`);
    process.exit(1);
  });
}
