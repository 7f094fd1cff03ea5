import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "status", description: "Show each lab container: state, health and ports" },
  async run() {
    const { status } = await import("../stack/lifecycle.ts");
    const { labDeps } = await import("../stack/runtime.ts");
    await status(labDeps("status"));
  },
});
