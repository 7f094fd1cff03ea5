/**
 * The e2e suite's lock and run dirs survive a killed run: the kernel drops the lock of a dead run, and the next run
 * removes its dir. (A killed `bun test` fires no exit hook, oven-sh/bun#8434.)
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquire, isHeld, ownedRunDir, sweepRunDirs } from "./run-lock.ts";

const base = mkdtempSync(join(tmpdir(), "o11y-lab-lock-test-"));
const PREFIX = "run-";
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A run in another process: takes the lock, makes its run dir, says where, and waits to be killed. */
async function otherRun(lock: string) {
  const code = `
    const { acquire, ownedRunDir } = await import(${JSON.stringify(join(import.meta.dir, "run-lock.ts"))});
    await acquire(${JSON.stringify(lock)});
    const { dir } = ownedRunDir(${JSON.stringify(base)}, ${JSON.stringify(PREFIX)});
    console.log(dir);
    await Bun.sleep(600_000);
  `;
  const child = Bun.spawn([process.execPath, "-e", code], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  return { child, dir: new TextDecoder().decode(value).trim() };
}

test("after a run is killed, the next one takes the lock at once and removes the dead run's dir", async () => {
  const lock = join(base, "lab.lock");
  const first = await otherRun(lock);
  expect(isHeld(lock)).toBe(true);
  expect(existsSync(first.dir)).toBe(true);

  first.child.kill("SIGKILL");
  await first.child.exited;
  const started = performance.now();
  const held = await acquire(lock, { timeoutMs: 10_000, onWait: () => undefined });
  const waitedMs = performance.now() - started;
  expect(waitedMs).toBeLessThan(2000);

  // The dead run's dir lock goes the same way, as its holder notices its owner is gone (within moments).
  const owner = join(first.dir, ".owner.lock");
  for (let i = 0; i < 40 && isHeld(owner); i++) await Bun.sleep(50);
  expect(isHeld(owner)).toBe(false);
  const mine = ownedRunDir(base, PREFIX);
  expect(existsSync(first.dir)).toBe(false);
  expect(existsSync(mine.dir)).toBe(true);
  // A live run's dir is kept by the next sweep.
  expect(sweepRunDirs(base, PREFIX)).toEqual([]);
  mine.lock.release();
  held.release();
});

test("a second run waits for a live one, and says so", async () => {
  const lock = join(base, "busy.lock");
  const first = await otherRun(lock);
  let waited = false;
  const second = acquire(lock, { timeoutMs: 20_000, onWait: () => (waited = true) });
  await Bun.sleep(300);
  expect(waited).toBe(true);
  first.child.kill("SIGKILL");
  (await second).release();
});
