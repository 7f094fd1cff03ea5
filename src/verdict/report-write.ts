import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stateDir } from "../stack/state.ts";
import type { Backends } from "./check.ts";
import { gather } from "./report.ts";
import { html, markdown } from "./report-render.ts";

/** Writes report-<time>.md, .html and .json (the numbers, for scripts) into the state dir's reports/. */
export async function writeReport(backends: Backends, tempoUrl: string, since: number, env = process.env) {
  const data = await gather(backends, tempoUrl, since, env);
  const dir = join(stateDir(env), "reports");
  await mkdir(dir, { recursive: true });
  const stem = join(
    dir,
    `report-${new Date(data.generatedAt * 1000)
      .toISOString()
      .replace(/\.\d+Z$/, "Z")
      .replaceAll(":", "-")}`,
  );
  const paths = { markdown: `${stem}.md`, html: `${stem}.html`, json: `${stem}.json` };
  await writeFile(paths.markdown, markdown(data));
  await writeFile(paths.html, html(data));
  await writeFile(paths.json, JSON.stringify(data, null, 2));
  return paths;
}
