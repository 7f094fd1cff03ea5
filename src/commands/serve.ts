import { defineCommand } from "citty";
import { LabError } from "../errors.ts";
import { isRoleName, ROLE_NAMES, ROLES, type RoleName } from "../roles.ts";
import { selfCommand } from "../self.ts";

export default defineCommand({
  meta: {
    name: "serve",
    description: `Run a demo service (what the containers run): ${ROLE_NAMES.join("|")}, or all five locally`,
  },
  args: {
    role: { type: "positional", required: true, description: `${ROLE_NAMES.join(" | ")} | all` },
  },
  async run({ args }) {
    if (args.role === "all") return serveAll();
    if (!isRoleName(args.role)) {
      throw new LabError(`unknown role "${args.role}"`, `choose one of ${ROLE_NAMES.join(", ")} or all`);
    }
    await serveOne(args.role);
  },
});

/** One role in this process: telemetry first, so everything after it is recorded. */
async function serveOne(role: RoleName): Promise<void> {
  const { readConfig } = await import("../serve/config.ts");
  const config = readConfig(role);
  const { startTelemetry } = await import("../telemetry/sdk.ts");
  const { createLog, diagLogger } = await import("../telemetry/logger.ts");
  const telemetry = startTelemetry(role, diagLogger(role));
  const log = createLog(role);
  const { assemble } = await import("../serve/wiring.ts");
  const { serveRole } = await import("../serve/server.ts");
  const running = serveRole(role, config, assemble(role, config, log), log, telemetry);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await running.shutdown();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/** The five roles as child processes of this one command (one service.name each); Ctrl-C stops all. */
async function serveAll(): Promise<void> {
  const { localEnv } = await import("../serve/config.ts");
  const self = selfCommand();
  const children = ROLES.map((role) =>
    Bun.spawn([...self, "serve", role.name], {
      env: localEnv(role.name, process.env),
      stdio: ["ignore", "inherit", "inherit"],
    }),
  );
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const child of children) child.kill("SIGTERM");
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  const first = await Promise.race(children.map((c, i) => c.exited.then((code) => ({ code, i }))));
  if (!stopping) {
    stop();
    await Promise.all(children.map((c) => c.exited));
    const name = ROLES[first.i]?.name;
    throw new LabError(
      `${name} exited with code ${first.code}`,
      `see its log lines above, then run o11y-lab serve all again`,
    );
  }
  await Promise.all(children.map((c) => c.exited));
}
