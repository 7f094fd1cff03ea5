/**
 * Grafana, Loki, Tempo and k6 are AGPL-licensed: the project never fetches or builds their code (their official
 * images stay in stack/compose.yaml, for users to pull). This holds the test setup, CI, the build and the
 * dependency tree to it.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dir, "..");
/** Go module paths and snapshots of the AGPL projects (an image name like grafana/loki:3.5.7 is not one). */
const AGPL_CODE = /grafana\/loki\/v3|github\.com\/grafana\/(loki|tempo|grafana)\b|go\.k6\.io\/k6/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test("no install, CI or build script fetches or builds AGPL code", () => {
  const scripts = [".ci", ".github", "test", "bench"]
    .flatMap((dir) => files(join(ROOT, dir)))
    .concat(["package.json", "build.ts", "release.ts", "install.sh", "install.ps1"].map((f) => join(ROOT, f)))
    .filter((f) => !f.endsWith(".json") || f.endsWith("package.json"));
  const hits = scripts.filter((f) => AGPL_CODE.test(readFileSync(f, "utf8"))).map((f) => relative(ROOT, f));
  expect(hits).toEqual([]);
});

test("no npm dependency is AGPL-licensed", () => {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { license?: string }>;
  };
  const agpl = Object.entries(lock.packages)
    .filter(([, p]) => /AGPL/i.test(p.license ?? ""))
    .map(([name, p]) => `${name} (${p.license})`);
  expect(agpl).toEqual([]);
});
