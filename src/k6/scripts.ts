import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
// @ts-expect-error text import of k6 JavaScript
import config from "../../k6/lib/config.js" with { type: "text" };
// @ts-expect-error text import of k6 JavaScript
import http from "../../k6/lib/http.js" with { type: "text" };
// @ts-expect-error text import of k6 JavaScript
import scenarios from "../../k6/lib/scenarios.js" with { type: "text" };
// @ts-expect-error text import of k6 JavaScript
import summary from "../../k6/lib/summary.js" with { type: "text" };
// The k6 scripts ride inside the binary as text and are written to the state dir before a run. TypeScript cannot
// type a text import of a .js file (it resolves the JavaScript module instead), hence the expect-errors.
// @ts-expect-error text import of k6 JavaScript
import load from "../../k6/load.js" with { type: "text" };
// @ts-expect-error text import of k6 JavaScript
import smoke from "../../k6/smoke.js" with { type: "text" };
// @ts-expect-error text import of k6 JavaScript
import spike from "../../k6/spike.js" with { type: "text" };
// @ts-expect-error text import of k6 JavaScript
import stress from "../../k6/stress.js" with { type: "text" };

function text(value: unknown): string {
  if (typeof value !== "string") throw new Error("a k6 file was not embedded as text");
  return value;
}

/** Every file of k6/, by its path relative to k6/. */
export const K6_FILES: Readonly<Record<string, string>> = {
  "smoke.js": text(smoke),
  "load.js": text(load),
  "stress.js": text(stress),
  "spike.js": text(spike),
  "lib/config.js": text(config),
  "lib/http.js": text(http),
  "lib/scenarios.js": text(scenarios),
  "lib/summary.js": text(summary),
};

/** Writes k6/ into `dir` (replacing what an older binary wrote) and returns `dir`. */
export async function writeK6Files(dir: string): Promise<string> {
  for (const [path, text] of Object.entries(K6_FILES)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  return dir;
}
