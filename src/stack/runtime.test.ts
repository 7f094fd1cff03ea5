import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../version.ts";
import { labBundle } from "./runtime.ts";

test("from source, the bundle is the source tree bundled now: it starts with its shebang and is this version", async () => {
  const bundle = await labBundle();
  expect(bundle).toStartWith("#!/usr/bin/env bun\n");
  const dir = mkdtempSync(join(tmpdir(), "o11y-lab-bundle-"));
  try {
    writeFileSync(join(dir, "o11y-lab.js"), bundle);
    const run = Bun.spawnSync([process.execPath, join(dir, "o11y-lab.js"), "--version"]);
    expect(run.stdout.toString().trim()).toBe(VERSION);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
