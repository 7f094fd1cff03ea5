import { join } from "node:path";
import { REPO_ROOT } from "./peers.ts";

/** Runs `o11y-lab <args>` from source, as a user would, with `env`: its exit code and all it printed. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string }> {
  const child = Bun.spawn([process.execPath, join(REPO_ROOT, "src/index.ts"), ...args], {
    cwd: REPO_ROOT,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, out: `${out}${err}` };
}
