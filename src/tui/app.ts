/** The live loop: poll Prometheus (and Tempo when the trace list is open), redraw, act on keys. */
import { type Actions, changeFaults, faultClient, openInBrowser, readFaults } from "./actions.ts";
import { probeStack } from "./health.ts";
import { shortUrl } from "./links.ts";
import { Prometheus } from "./prometheus.ts";
import { HISTORY_SECONDS, render, sparkWidth } from "./render.ts";
import { readHistory, readSnapshot } from "./snapshot.ts";
import {
  type Activity,
  applyFaults,
  type Effect,
  onKey,
  recordEvent,
  selectedRoleName,
  type TuiState,
} from "./state.ts";
import { searchTraces } from "./tempo.ts";
import { openTerminal } from "./terminal.ts";

export interface TuiOptions {
  color: boolean;
  roleUrls: Record<string, string>;
  actions: Actions;
}

/** How long a message stays on the bottom line. */
const MESSAGE_MS = 15_000;

/** Runs the screen until the user quits (q, ctrl-c) or a signal arrives; the terminal is restored either way. */
export async function runTui(initial: TuiState, options: TuiOptions): Promise<void> {
  const prometheus = new Prometheus(initial.prometheusUrl);
  const faults = faultClient(options.roleUrls);
  let state = initial;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let messageTimer: ReturnType<typeof setTimeout> | undefined;
  let quit: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    quit = resolve;
  });

  const terminal = openTerminal(
    (key) => {
      const result = onKey(state, key);
      update(() => result.state);
      for (const effect of result.effects) perform(effect);
    },
    () => draw(),
  );

  function draw(): void {
    state = { ...state, now: Date.now() };
    terminal.draw(render(state, { width: terminal.width, height: terminal.height, color: options.color }));
  }

  function update(change: (s: TuiState) => TuiState): void {
    const before = state.message;
    state = change({ ...state, now: Date.now() });
    if (state.message && state.message !== before) {
      clearTimeout(messageTimer);
      const shown = state.message;
      messageTimer = setTimeout(() => update((s) => (s.message === shown ? { ...s, message: null } : s)), MESSAGE_MS);
    }
    draw();
  }

  const say = (message: string) => update((s) => ({ ...s, message }));
  const start = (activity: Omit<Activity, "since">) => update((s) => recordEvent(s, "start", activity));
  const stop = (activity: Omit<Activity, "since">, message: string) =>
    update((s) => ({ ...recordEvent(s, "stop", activity), message }));

  /** Stops `activity` if it is still the run that started at `since` (not a later start of the same name). */
  function expire(activity: Omit<Activity, "since">, since: number | undefined): void {
    if (state.running.some((a) => a.kind === activity.kind && a.name === activity.name && a.since === since)) {
      stop(activity, `chaos ${activity.name} is over`);
    }
  }

  async function refreshFaults(): Promise<void> {
    const flags = await readFaults(faults);
    update((s) => applyFaults(s, flags));
  }

  async function refreshTraces(): Promise<void> {
    const role = selectedRoleName(state);
    try {
      const traces = await searchTraces(state.tempoUrl, role);
      if (selectedRoleName(state) === role) update((s) => ({ ...s, traces, tempoError: null }));
    } catch (error) {
      update((s) => ({ ...s, tempoError: (error as Error).message }));
    }
  }

  async function tick(): Promise<void> {
    const now = Date.now() / 1000;
    const points = sparkWidth(terminal.width);
    // Align the sparkline grid to its step, so columns keep their values from one poll to the next.
    const step = Math.max(1, Math.round(HISTORY_SECONDS / points));
    try {
      const [snapshot, history] = await Promise.all([
        readSnapshot(prometheus, now),
        readHistory(prometheus, Math.floor(now / step) * step, HISTORY_SECONDS, points),
      ]);
      update((s) => ({ ...s, snapshot, history, prometheusError: null }));
    } catch (error) {
      update((s) => ({ ...s, prometheusError: (error as Error).message }));
    }
    await Promise.all([
      refreshFaults(),
      probeStack(state.tempoUrl, state.grafanaUrl).then((health) => update((s) => ({ ...s, health }))),
      state.showTraces ? refreshTraces() : undefined,
    ]);
  }

  let running = true;
  async function loop(): Promise<void> {
    await tick();
    if (running) timer = setTimeout(loop, state.interval * 1000);
  }

  function perform(effect: Effect): void {
    switch (effect.type) {
      case "quit":
        quit();
        return;
      case "refresh":
        void refreshTraces();
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
        const since = state.running.at(-1)?.since;
        const item = state.chaos.find((c) => c.name === effect.name);
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
        const chaos = state.running.filter((a) => a.kind === "chaos");
        options.actions
          .stopChaos()
          .then(
            (said) => said || "all chaos stopped",
            (error: Error) => `chaos stop failed: ${error.message}`,
          )
          .then(async (message) => {
            for (const activity of chaos) update((s) => recordEvent(s, "stop", activity));
            say(message);
            await refreshFaults();
          });
        return;
      }
      case "setFault":
        changeFaults(faults, effect.role, effect.faults).then(
          () => refreshFaults().then(() => say(`fault flags of ${effect.role} updated`)),
          (error: Error) => say(error.message),
        );
        return;
      case "open":
        void openOrShow(effect.url);
        return;
    }
  }

  /** Opens `url` in a browser; without one, copies it and shows it, shortened by Grafana when possible. */
  async function openOrShow(url: string): Promise<void> {
    if (await openInBrowser(url)) return say(`opened ${url}`);
    const link = (await shortUrl(state.grafanaUrl, url)) ?? url;
    terminal.copy(link);
    say(`open ${link}`);
  }

  const onSignal = () => quit();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
  // A bug must not leave the terminal raw and on the alternate screen: restore it, then say what broke.
  const onCrash = (error: unknown) => {
    terminal.restore();
    console.error(`o11y-lab: tui crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  try {
    draw();
    void loop();
    await done;
  } finally {
    running = false;
    clearTimeout(timer);
    clearTimeout(messageTimer);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(signal, onSignal);
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
    terminal.restore();
    options.actions.close();
  }
}
