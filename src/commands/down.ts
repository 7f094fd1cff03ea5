import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "down", description: "Stop and remove the lab's containers (-v: and its data)" },
  args: {
    volumes: { type: "boolean", alias: "v", description: "Also remove the data volumes", default: false },
  },
  async run({ args }) {
    const { down } = await import("../stack/lifecycle.ts");
    const { labDeps } = await import("../stack/runtime.ts");
    await down(labDeps("down"), { volumes: args.volumes });
  },
});
