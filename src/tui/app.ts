/** The live screen: the poll loop (loop.ts) wired to the backends, the terminal and the lab's actions. */
import { verdictStatus } from "../verdict/status.ts";
import { type Actions, changeFaults, faultClient, openInBrowser, readFaults } from "./actions.ts";
import { probeStack } from "./health.ts";
import { shortUrl } from "./links.ts";
import { queryLogs } from "./loki.ts";
import { Loop, type Sources } from "./loop.ts";
import { Prometheus } from "./prometheus.ts";
import { render } from "./render.ts";
import { readDrill, readHistory, readSnapshot, slowestExemplar } from "./snapshot.ts";
import { type Activity, type Effect, recordEvent, type TuiState } from "./state.ts";
import { sparkWidth } from "./table.ts";
import { searchTraces } from "./tempo.ts";
import { openTerminal, type Terminal } from "./terminal.ts";
import { fetchTrace } from "./trace.ts";

export interface TuiOptions {
  color: boolean;
  roleUrls: Record<string, string>;
  actions: Actions;
}

/** How long a message stays on the bottom line. */
const MESSAGE_MS = 15_000;

/** The backends behind the loop's sources. */
export function liveSources(initial: TuiState, roleUrls: Record<string, string>, width: () => number): Sources {
  const prometheus = new Prometheus(initial.prometheusUrl);
  const faults = faultClient(roleUrls);
  return {
    async prometheus(state) {
      const now = Date.now() / 1000;
      const points = sparkWidth(width());
      // Align the sparkline grid to its step, so columns keep their values from one poll to the next.
      const step = Math.max(1, Math.round(state.window / points));
      const [snapshot, history] = await Promise.all([
        readSnapshot(prometheus, now),
        readHistory(prometheus, Math.floor(now / step) * step, state.window, points),
      ]);
      return { snapshot, history };
    },
    faults: () => readFaults(faults),
    health: () => probeStack(initial.tempoUrl, initial.lokiUrl, initial.grafanaUrl),
    verdict: () => verdictStatus(),
    traces: (role) => searchTraces(initial.tempoUrl, role),
    logs: (filter) => queryLogs(initial.lokiUrl, filter),
    drill: (role) => readDrill(prometheus, role),
    trace: (id) => fetchTrace(initial.tempoUrl, id),
    async exemplar(role, seconds) {
      const end = Date.now() / 1000;
      return (await slowestExemplar(prometheus, role, end - seconds, end))?.traceId ?? null;
    },
  };
}

/** Runs the screen until the user quits (q, ctrl-c) or a signal arrives; the terminal is restored either way. */
export async function runTui(initial: TuiState, options: TuiOptions): Promise<void> {
  const faults = faultClient(options.roleUrls);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let messageTimer: ReturnType<typeof setTimeout> | undefined;
  let quit: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    quit = resolve;
  });
  let terminal: Terminal | undefined;
  const size = () => ({ width: terminal?.width ?? 80, height: terminal?.height ?? 24 });
  const loop = new Loop(
    initial,
    liveSources(initial, options.roleUrls, () => size().width),
    (state) => terminal?.draw(render(state, { ...size(), color: options.color })),
    (effect) => perform(effect),
  );
  terminal = openTerminal(
    (key) => {
      loop.key(key);
      watchMessage();
    },
    () => loop.frame(),
  );

  /** Clears a message after a while; the clearing shows with the next frame. */
  let shownMessage: string | null = null;
  function watchMessage(): void {
    const current = loop.state.message;
    if (!current || current === shownMessage) return;
    shownMessage = current;
    clearTimeout(messageTimer);
    messageTimer = setTimeout(
      () => loop.change((s) => (s.message === current ? { ...s, message: null } : s)),
      MESSAGE_MS,
    );
  }

  const say = (message: string) => {
    loop.change((s) => ({ ...s, message }));
    watchMessage();
  };
  const start = (activity: Omit<Activity, "since">) => loop.change((s) => recordEvent(s, "start", activity));
  const stop = (activity: Omit<Activity, "since">, message: string) => {
    loop.change((s) => recordEvent(s, "stop", activity));
    say(message);
  };

  /** Stops `activity` if it is still the run that started at `since` (not a later start of the same name). */
  function expire(activity: Omit<Activity, "since">, since: number | undefined): void {
    if (loop.state.running.some((a) => a.kind === activity.kind && a.name === activity.name && a.since === since)) {
      stop(activity, `chaos ${activity.name} is over`);
    }
  }

  let running = true;
  async function poll(): Promise<void> {
    await loop.tick();
    watchMessage();
    if (running) timer = setTimeout(poll, loop.state.interval * 1000);
  }

  function perform(effect: Effect): void {
    switch (effect.type) {
      case "quit":
        quit();
        return;
      case "startK6": {
        const activity = { kind: "k6", name: effect.name } as const;
        start(activity);
        options.actions.startK6(effect.name).then(
          (said) => stop(activity, said),
          (error: Error) => stop(activity, `k6 ${effect.name} failed: ${error.message}`),
        );
        return;
      }
      case "startChaos": {
        const activity = { kind: "chaos", name: effect.app ? `${effect.name} (app-level)` : effect.name } as const;
        start(activity);
        const since = loop.state.running.at(-1)?.since;
        const item = loop.state.chaos.find((c) => c.name === effect.name);
        const seconds = effect.app ? undefined : item?.seconds;
        options.actions.startChaos(effect.name, { app: effect.app }).then(
          (said) => {
            say(said || `chaos ${activity.name} is on${item?.expect ? `: ${item.expect}` : ""}`);
            // Pumba ends a timed scenario by itself; app-level faults stay until stopped.
            if (seconds) setTimeout(() => expire(activity, since), seconds * 1000);
          },
          (error: Error) => stop(activity, `chaos ${activity.name} failed: ${error.message}`),
        );
        return;
      }
      case "stopChaos": {
        const chaos = loop.state.running.filter((a) => a.kind === "chaos");
        options.actions.stopChaos().then(
          (said) => {
            for (const activity of chaos) loop.change((s) => recordEvent(s, "stop", activity));
            say(said || "all chaos stopped");
          },
          (error: Error) => say(`chaos stop failed: ${error.message}`),
        );
        return;
      }
      case "setFault":
        changeFaults(faults, effect.role, effect.faults).then(
          () => say(`fault flags of ${effect.role} updated`),
          (error: Error) => say(error.message),
        );
        return;
      case "open":
        void openOrShow(effect.url);
        return;
      default:
        return;
    }
  }

  /** Opens `url` in a browser; without one, copies it and shows it, shortened by Grafana when possible. */
  async function openOrShow(url: string): Promise<void> {
    if (await openInBrowser(url)) return say(`opened ${url}`);
    const link = (await shortUrl(loop.state.grafanaUrl, url)) ?? url;
    terminal?.copy(link);
    say(`open ${link}`);
  }

  const onSignal = () => quit();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
  // A bug must not leave the terminal raw and on the alternate screen: restore it, then say what broke.
  const onCrash = (error: unknown) => {
    terminal?.restore();
    console.error(`o11y-lab: tui crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  try {
    loop.frame();
    void poll();
    await done;
  } finally {
    running = false;
    clearTimeout(timer);
    clearTimeout(messageTimer);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(signal, onSignal);
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
    terminal?.restore();
    options.actions.close();
  }
}
