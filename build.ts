/**
 * Compiles the o11y-lab binary. `bun build.ts` builds for this machine into dist/;
 * `bun build.ts --all` builds every release target.
 */
import { $ } from "bun";
import pkg from "./package.json";

const TARGETS = ["bun-linux-x64", "bun-linux-arm64", "bun-darwin-x64", "bun-darwin-arm64", "bun-windows-x64"] as const;

const all = process.argv.includes("--all");
const version = process.env.O11Y_LAB_VERSION ?? pkg.version;
const targets = all ? TARGETS : [undefined];

await $`rm -rf dist`.quiet();
for (const target of targets) {
  const suffix = target ? `-${target.replace(/^bun-/, "")}` : "";
  const outfile = `dist/o11y-lab${suffix}${target?.includes("windows") ? ".exe" : ""}`;
  const result = await Bun.build({
    entrypoints: ["src/index.ts"],
    // Span and metric names come from identifiers in places: never minify them away.
    minify: { whitespace: true, syntax: true, identifiers: false },
    sourcemap: "linked",
    define: { O11Y_LAB_VERSION: JSON.stringify(version) },
    compile: target ? { target, outfile } : { outfile },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    process.exit(1);
  }
  console.log(`built ${outfile} (${version})`);
}
