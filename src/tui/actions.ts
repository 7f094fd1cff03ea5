/** What the TUI's keys do outside the screen: run k6 and chaos, set fault flags, open a browser. */
import { SCENARIOS, scenarioByName } from "../chaos/catalogue.ts";
import { FaultClient, type Faults, NO_FAULT } from "../chaos/faults.ts";
import { annotate } from "../chaos/grafana.ts";
import { type ChaosDeps, startScenario, stopChaos } from "../chaos/run.ts";
import { parseDuration } from "../k6/catalog.ts";
import { ROLE_NAMES, ROLES, type RoleName } from "../roles.ts";
import { selfCommand } from "../self.ts";
import { docker } from "../stack/docker.ts";
import type { ChaosItem } from "./state.ts";

/** Load and chaos, as the `k6` and `chaos` commands provide them. Failures reject with a one-line reason. */
export interface Actions {
  /** Resolves when the k6 run ends, with how it went. */
  startK6(name: string): Promise<string>;
  /** Resolves once the scenario is on, with what to say about it. */
  startChaos(name: string, options: { app: boolean }): Promise<string>;
  /** Resolves once every scenario is undone and every fault flag cleared, with what to say about it. */
  stopChaos(): Promise<string>;
  /** Ends the foreground runs this TUI started (k6); chaos stays until stopped. */
  close(): void;
}

/** The chaos menu: the `chaos list` catalogue, with the length of the timed scenarios. */
export function chaosMenu(): ChaosItem[] {
  return SCENARIOS.map((s) => ({
    name: s.name,
    summary: `${s.does} · ${s.duration}`,
    seconds: /^(\d+[hms])+$/.test(s.duration) ? parseDuration(s.duration) : undefined,
    expect: s.expect,
  }));
}

/**
 * k6 runs as `o11y-lab k6 <name>`, a child process of this same binary: its progress output must not reach the
 * TUI's screen, and a run of minutes must not block the loop. Chaos runs in-process through the chaos modules,
 * with their output collected instead of printed, and against the role URLs the TUI was given.
 */
export function labActions(options: { roleUrls: Record<string, string>; grafanaUrl: string }): Actions {
  const command = selfCommand();
  const k6Runs = new Set<Bun.Subprocess>();
  // What the chaos modules report, successes before warnings: the TUI's message line shows the start of it.
  const said = { success: [] as string[], warn: [] as string[] };
  const onPath = docker();
  const deps: ChaosDeps = {
    // Foreground Pumba (a one-shot kill) must not write on the screen either.
    docker: { ...onPath, attach: async (args) => (await onPath.capture(args)).code },
    faults: faultClient(options.roleUrls),
    annotate: (text, tags) => annotate(text, tags, { url: options.grafanaUrl }),
    log: { info: () => {}, log: () => {}, success: (m) => said.success.push(m), warn: (m) => said.warn.push(m) },
    random: Math.random,
    sleep: (ms) => Bun.sleep(ms),
  };
  async function collect(run: () => Promise<unknown>): Promise<string> {
    said.success = [];
    said.warn = [];
    await run();
    return [...said.success, ...said.warn].join("; ");
  }
  return {
    async startK6(name) {
      const child = Bun.spawn([...command, "k6", name], {
        stdin: "ignore",
        stdout: "ignore",
        stderr: "pipe",
        env: { ...process.env, NO_COLOR: "1" },
      });
      k6Runs.add(child);
      const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
      k6Runs.delete(child);
      if (code === 0) return `k6 ${name} finished: every threshold held`;
      // k6's exit code when a threshold was crossed: the run itself went fine.
      if (code === 99) return `k6 ${name} finished: thresholds crossed`;
      const last = stderr
        .trim()
        .split("\n")
        .at(-1)
        ?.replace(/^o11y-lab: /, "");
      throw new Error(last || `o11y-lab k6 ${name} exited with ${code}`);
    },
    startChaos(name, { app }) {
      const scenario = scenarioByName(name);
      if (!scenario) return Promise.reject(new Error(`no chaos scenario ${name}`));
      return collect(() => startScenario(scenario, { app }, deps));
    },
    stopChaos: () => collect(() => stopChaos(deps)),
    close() {
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

export function faultClient(urls: Record<string, string>): FaultClient {
  return new FaultClient((role) => urls[role] ?? `http://127.0.0.1:${ROLES.find((r) => r.name === role)?.port}`);
}

/** Every role's fault flags; null for a role that did not answer. */
export async function readFaults(client: FaultClient): Promise<Record<string, Faults | null>> {
  const entries = await Promise.all(ROLE_NAMES.map(async (role) => [role, await client.get(role).catch(() => null)]));
  return Object.fromEntries(entries);
}

/** Changes part of a role's flags (or clears them with null), keeping the rest as the role reports them. */
export async function changeFaults(client: FaultClient, role: RoleName, change: Partial<Faults> | null) {
  if (!change) return client.clear(role);
  const { latency_ms, jitter_ms, error_rate, error_status } = await client.get(role).catch(() => NO_FAULT);
  return client.set(role, { latency_ms, jitter_ms, error_rate, error_status, ...change });
}

/** Opens `url` in a browser when there is one; answers false when the caller should show the URL instead. */
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
