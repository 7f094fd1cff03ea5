import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { STACK_FILES } from "./assets.ts";

const STACK = join(import.meta.dir, "../../stack");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [relative(STACK, path)];
  });
}

test("every file in stack/ is embedded, and nothing else", () => {
  expect([...STACK_FILES.keys()].sort()).toEqual(filesUnder(STACK).sort());
});

test("the embedded text is the file's text", () => {
  for (const [path, content] of STACK_FILES) expect(content).toBe(readFileSync(join(STACK, path), "utf8"));
});
