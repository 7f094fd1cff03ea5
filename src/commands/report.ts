import { defineCommand } from "citty";
import { LabError } from "../errors.ts";
import { BACKEND_ARGS } from "../verdict/flags.ts";

export default defineCommand({
  meta: {
    name: "report",
    description: "A Markdown and an HTML report of the last load tests and chaos runs, in the state dir",
  },
  args: {
    ...BACKEND_ARGS,
    since: { type: "string", description: "How far back, in minutes", default: "180" },
    open: { type: "boolean", description: "Open the HTML page in a browser", default: false },
  },
  async run({ args }) {
    const minutes = Number(args.since);
    if (!(minutes > 0)) throw new LabError(`--since ${args.since} is not a number of minutes`, "use e.g. --since 60");
    const { writeReport } = await import("../verdict/report-write.ts");
    const { backends } = await import("../verdict/flags.ts");
    const paths = await writeReport(backends(args), args.tempo, Date.now() / 1000 - minutes * 60);
    console.log(paths.markdown);
    console.log(paths.html);
    if (args.open) {
      const { openInBrowser } = await import("../tui/actions.ts");
      if (!(await openInBrowser(`file://${paths.html}`))) console.log(`open it in a browser: file://${paths.html}`);
    }
  },
});
