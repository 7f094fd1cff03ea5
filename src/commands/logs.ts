import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "logs", description: "Show the lab's container logs, of one service or all" },
  args: {
    service: { type: "positional", required: false, description: "A compose service, e.g. service-a or kafka" },
    follow: { type: "boolean", alias: "f", description: "Keep following new lines", default: false },
  },
  async run({ args }) {
    const { logs } = await import("../stack/lifecycle.ts");
    const { labDeps } = await import("../stack/runtime.ts");
    await logs(labDeps("logs"), { follow: args.follow, ...(args.service ? { service: args.service } : {}) });
  },
});
