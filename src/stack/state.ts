import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/**
 * The per-user directory the lab keeps its files in: O11Y_LAB_STATE_DIR, else $XDG_STATE_HOME/o11y-lab,
 * else ~/.local/state/o11y-lab (%LOCALAPPDATA%\o11y-lab on Windows).
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.O11Y_LAB_STATE_DIR) return env.O11Y_LAB_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "o11y-lab");
  if (process.platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "o11y-lab");
  return join(homedir(), ".local", "state", "o11y-lab");
}

/** Where the compose project lives inside the state directory. */
export function stackDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), "stack");
}

/**
 * A file to write: path relative to the directory, its content, whether it is a secret, and whether it is a program
 * (the lab's JS bundle the containers run). A secret is kept from other host users by its directory (0700), not by
 * its own mode: it is bind-mounted into a container whose user (the collector's uid 10001) is not the owner and must
 * be able to read it, and a bind mount does not check the host directories above the file.
 */
export interface StateFile {
  readonly path: string;
  readonly content: string;
  readonly secret?: boolean;
  readonly executable?: boolean;
}

/**
 * Writes each file whose content differs from what is on disk, and nothing else, so that compose and the
 * containers that mount these files see no change when there is none. Returns the paths it wrote.
 */
export async function writeChanged(dir: string, files: Iterable<StateFile>): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const target = join(dir, file.path);
    const current = await readFile(target, "utf8").catch(() => undefined);
    if (current === file.content) continue;
    await mkdir(dirname(target), { recursive: true });
    if (file.secret) await chmod(dirname(target), 0o700);
    const mode = file.executable ? 0o755 : 0o644;
    await writeFile(target, file.content, { mode });
    await chmod(target, mode);
    written.push(file.path);
  }
  return written;
}

/** Removes a file the current configuration no longer uses (e.g. the OTLP export after `up` without it). */
export async function removeFile(dir: string, path: string): Promise<void> {
  await rm(join(dir, path), { force: true });
}
