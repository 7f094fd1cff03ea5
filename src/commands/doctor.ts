import { defineCommand } from "citty";
import { LabError } from "../errors.ts";
import { BACKEND_ARGS } from "../verdict/flags.ts";

export default defineCommand({
  meta: {
    name: "doctor",
    description: "Preflight (Docker, Compose, memory, ports, netem) and, with the lab up, every signal end to end",
  },
  args: BACKEND_ARGS,
  async run({ args }) {
    const { doctor } = await import("../verdict/doctor.ts");
    const { backends } = await import("../verdict/flags.ts");
    const result = await doctor(backends(args), (line) => console.log(line));
    const failed = result.lines.filter((line) => line.startsWith("✗")).length;
    if (!result.ok) throw new LabError(`${failed} check${failed === 1 ? "" : "s"} failed`, "see the ✗ lines above");
  },
});
