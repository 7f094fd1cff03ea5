/** What the TUI's keys do outside the screen: run k6 and chaos, set fault flags, open a browser. */
import { ROLES } from "../roles.ts";
import { reason } from "./prometheus.ts";
import type { Faults } from "./state.ts";

/** Load and chaos, as the `k6` and `chaos` commands provide them. Each promise settles when the thing is over. */
export interface Actions {
  /** Resolves when the k6 run ends; rejects with a one-line reason when it fails. */
  startK6(name: string): Promise<void>;
  /** Resolves once the scenario is under way (or over); rejects with a one-line reason. */
  startChaos(name: string, options: { app: boolean }): Promise<void>;
  stopChaos(): Promise<void>;
  /** Ends the foreground runs this TUI started (k6); chaos stays until stopped. */
  close(): void;
}

/** The command line that runs this same program: the compiled binary, or bun with the entry script. */
export function selfCommand(): string[] {
  const script = process.argv[1];
  const compiled = !script || script.startsWith("/$bunfs/") || /^[A-Z]:\\~BUN\\/.test(script);
  return compiled ? [process.execPath] : [process.execPath, script];
}

/**
 * Runs `o11y-lab k6 …` / `o11y-lab chaos …` as child processes of the same binary: their progress output must not
 * reach the TUI's screen, and a long k6 run must not block the loop. stderr's last line becomes the failure reason.
 */
export function subprocessActions(command = selfCommand()): Actions {
  const k6Runs = new Set<Bun.Subprocess>();
  async function run(args: string[]): Promise<void> {
    const child = Bun.spawn([...command, ...args], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "1" },
    });
    if (args[0] === "k6") k6Runs.add(child);
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    k6Runs.delete(child);
    if (code !== 0) {
      const last = stderr
        .trim()
        .split("\n")
        .at(-1)
        ?.replace(/^o11y-lab: /, "");
      throw new Error(last || `o11y-lab ${args.join(" ")} exited with ${code}`);
    }
  }
  return {
    startK6: (name) => run(["k6", name]),
    startChaos: (name, { app }) => run(["chaos", name, ...(app ? ["--app"] : [])]),
    stopChaos: () => run(["chaos", "stop"]),
    close: () => {
      for (const child of k6Runs) child.kill("SIGTERM");
    },
  };
}

/** Base URL of every role: `http://127.0.0.1:<port>` unless `overrides` ("role=url,role=url") says otherwise. */
export function roleUrls(overrides = ""): Record<string, string> {
  const urls: Record<string, string> = Object.fromEntries(ROLES.map((r) => [r.name, `http://127.0.0.1:${r.port}`]));
  for (const pair of overrides.split(",").filter(Boolean)) {
    const [role, url] = pair.split("=", 2);
    if (role && url && role in urls) urls[role] = url.replace(/\/$/, "");
  }
  return urls;
}

/** The roles' app-level fault flags over `GET|PUT|DELETE /admin/faults`. */
export class FaultFlags {
  constructor(private readonly urls: Record<string, string>) {}

  /** Every role's flags; null for a role that did not answer. */
  async readAll(): Promise<Record<string, Faults | null>> {
    const entries = await Promise.all(
      Object.entries(this.urls).map(async ([role, url]) => {
        try {
          const response = await fetch(`${url}/admin/faults`, { signal: AbortSignal.timeout(1000) });
          return [role, response.ok ? ((await response.json()) as Faults) : null] as const;
        } catch {
          return [role, null] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }

  /** Sets (part of) a role's flags, or clears them all with null. */
  async set(role: string, faults: Partial<Faults> | null): Promise<void> {
    const url = this.urls[role];
    if (!url) throw new Error(`no URL for ${role}`);
    let response: Response;
    try {
      response = await fetch(`${url}/admin/faults`, {
        method: faults ? "PUT" : "DELETE",
        headers: { "content-type": "application/json" },
        body: faults ? JSON.stringify(faults) : null,
        signal: AbortSignal.timeout(2000),
      });
    } catch (error) {
      throw new Error(`${role} is unreachable at ${url} (${reason(error)})`);
    }
    if (!response.ok)
      throw new Error(`${role} answered ${response.status} to ${faults ? "PUT" : "DELETE"} /admin/faults`);
  }

  async clearAll(): Promise<void> {
    await Promise.allSettled(Object.keys(this.urls).map((role) => this.set(role, null)));
  }
}

/** Opens `url` in a browser when there is one; answers false when the caller should print the URL instead. */
export async function openInBrowser(url: string): Promise<boolean> {
  const platform = process.platform;
  if (platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false;
  const command =
    platform === "darwin" ? ["open", url] : platform === "win32" ? ["cmd", "/c", "start", "", url] : ["xdg-open", url];
  try {
    const child = Bun.spawn(command, { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    return (await child.exited) === 0;
  } catch {
    return false;
  }
}
