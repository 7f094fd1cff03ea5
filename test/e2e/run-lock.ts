/**
 * Locks the kernel releases when their owner dies, and run dirs that are removed even when their run was killed.
 * `bun test` does not fire `process.on("exit")` (oven-sh/bun#8434), so nothing here depends on an exit hook: a lock
 * is an flock(2) held by a small `cat` that inherits the locked fd and reads a pipe from this process. When this
 * process dies, for any reason, the pipe closes (and setpriv's pdeathsig kills it too), `cat` exits, and the kernel
 * drops the lock. A run dir holds such a lock for its whole life, so a later run can tell a dead run's dir apart
 * from a live one and remove it.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The lock file inside every run dir. */
const OWNER = ".owner.lock";

/** A held lock: {@link acquire}. */
export interface HeldLock {
  /** Drops the lock now (it is dropped anyway when this process dies). */
  release(): void;
}

/** A process holding an flock on `path` as long as this one lives; `script` runs with the file open on fd 9. */
function holder(path: string, script: string, ...args: string[]) {
  return Bun.spawn(
    [
      "setpriv",
      "--pdeathsig",
      "KILL",
      "--",
      "bash",
      "-c",
      `exec 9>>"$1"; ${script}; exec cat >/dev/null`,
      "lock",
      path,
      ...args,
    ],
    { stdin: "pipe", stdout: "pipe", stderr: "inherit" },
  );
}

function held(child: ReturnType<typeof holder>): HeldLock {
  return {
    release: () => {
      child.stdin.end();
      child.kill("SIGKILL");
    },
  };
}

/**
 * Takes an exclusive flock on `path` (created if missing), waiting while another process holds it; `onWait` is
 * called once if it has to wait. Rejects after `timeoutMs`.
 */
export async function acquire(path: string, opts: { timeoutMs?: number; onWait?: () => void } = {}): Promise<HeldLock> {
  const timeoutSeconds = Math.ceil((opts.timeoutMs ?? 30 * 60_000) / 1000);
  // Try at once; else say so and wait. Then cat holds the locked fd 9 until its stdin closes.
  const child = holder(
    path,
    'flock -n 9 || { echo waiting; flock -w "$2" 9; } || exit 3; echo held',
    String(timeoutSeconds),
  );
  const reader = child.stdout.getReader();
  let seen = "";
  while (!seen.includes("held\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`could not lock ${path} within ${timeoutSeconds} s (another run holds it)`);
    seen += new TextDecoder().decode(value);
    if (seen.includes("waiting\n")) {
      opts.onWait?.();
      seen = seen.replace("waiting\n", "");
    }
  }
  reader.releaseLock();
  return held(child);
}

/** Whether a live process holds the flock on `path`. */
export function isHeld(path: string): boolean {
  return Bun.spawnSync(["flock", "-n", path, "true"]).exitCode !== 0;
}

/** How long a new run dir may be without its owner lock (the holder takes it within milliseconds). */
const UNLOCKED_GRACE_MS = 60_000;

/**
 * Removes the run dirs under `base` whose run is gone: `prefix*` dirs whose owner lock no live process holds, or
 * that have none and are older than a minute (a run that died before taking it). Returns what it removed.
 */
export function sweepRunDirs(base: string, prefix: string): string[] {
  const removed: string[] = [];
  for (const name of existsSync(base) ? readdirSync(base) : []) {
    if (!name.startsWith(prefix) || name.endsWith(".lock")) continue;
    const dir = join(base, name);
    if (!statSync(dir).isDirectory()) continue;
    const owner = join(dir, OWNER);
    if (existsSync(owner) ? isHeld(owner) : Date.now() - statSync(dir).mtimeMs < UNLOCKED_GRACE_MS) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/**
 * A fresh run dir under `base`, owned by this process for as long as it lives, after sweeping dead runs' dirs. The
 * lock is on a new file in a new dir, so it is taken at once: no need to wait for it.
 */
export function ownedRunDir(base = tmpdir(), prefix = "o11y-lab-e2e-"): { dir: string; lock: HeldLock } {
  sweepRunDirs(base, prefix);
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, prefix));
  return { dir, lock: held(holder(join(dir, OWNER), "flock 9")) };
}
