import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stackDir, stateDir, writeChanged } from "./state.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "o11y-lab-state-"));
  dirs.push(d);
  return d;
};

test("the state dir: O11Y_LAB_STATE_DIR, else XDG_STATE_HOME/o11y-lab, else ~/.local/state/o11y-lab", () => {
  expect(stateDir({ O11Y_LAB_STATE_DIR: "/x", XDG_STATE_HOME: "/y" })).toBe("/x");
  expect(stateDir({ XDG_STATE_HOME: "/y" })).toBe("/y/o11y-lab");
  expect(stateDir({})).toMatch(/\.local\/state\/o11y-lab$/);
  expect(stackDir({ XDG_STATE_HOME: "/y" })).toBe("/y/o11y-lab/stack");
});

test("writeChanged writes new and changed files only, and leaves unchanged ones untouched", async () => {
  const dir = tmp();
  expect(
    await writeChanged(dir, [
      { path: "a/b.yaml", content: "one" },
      { path: "c", content: "two" },
    ]),
  ).toEqual(["a/b.yaml", "c"]);
  const old = new Date(2000, 0, 1);
  utimesSync(join(dir, "c"), old, old);
  expect(
    await writeChanged(dir, [
      { path: "a/b.yaml", content: "ONE" },
      { path: "c", content: "two" },
    ]),
  ).toEqual(["a/b.yaml"]);
  expect(readFileSync(join(dir, "a/b.yaml"), "utf8")).toBe("ONE");
  expect(statSync(join(dir, "c")).mtime.getTime()).toBe(old.getTime());
});

test("a secret is reachable on the host by its owner only, yet readable by a container's other user", async () => {
  const dir = tmp();
  await writeChanged(dir, [{ path: "private/s.yaml", content: "k: v", secret: true }]);
  expect(statSync(join(dir, "private")).mode & 0o777).toBe(0o700);
  // The collector runs as uid 10001, not the file's owner: through its bind mount only "other" bits apply.
  expect(statSync(join(dir, "private/s.yaml")).mode & 0o004).toBe(0o004);
  await writeChanged(dir, [{ path: "private/s.yaml", content: "k: w", secret: true }]);
  expect(statSync(join(dir, "private/s.yaml")).mode & 0o777).toBe(0o644);
});
