/**
 * `chaos <scenario> [--watch]` and `chaos stop [--watch]` with their hypothesis: stated with numbers before the
 * fault starts, watched until PASS or FAIL, and the recovery checked after the stop. Every step goes to the journal.
 */
import { type ChaosScenario, scenarioByName } from "../chaos/catalogue.ts";
import { type ChaosDeps, startScenario, stopChaos } from "../chaos/run.ts";
import { LabError } from "../errors.ts";
import type { Backends, Verdict } from "./check.ts";
import {
  hypothesisOf,
  recoveryText,
  type Stated,
  state,
  type WatchOptions,
  watchFault,
  watchRecovery,
} from "./hypothesis.ts";
import { current, readJournal, record } from "./journal.ts";

export interface WatchDeps {
  readonly chaos: ChaosDeps;
  readonly backends: Backends;
  readonly watch: WatchOptions;
  readonly env?: NodeJS.ProcessEnv;
}

function failed(verdict: Verdict, hint: string): LabError {
  return new LabError(verdict.line, verdict.unreachable ? undefined : hint);
}

/** States the hypothesis, starts the scenario, and with `watch` follows it to PASS (or throws its FAIL). */
export async function startWatched(
  scenario: ChaosScenario,
  options: { app: boolean; watch: boolean },
  deps: WatchDeps,
): Promise<Verdict | undefined> {
  const { log } = deps.chaos;
  let stated: Stated | undefined;
  try {
    stated = await state(scenario, options.app, deps.backends);
    log.info(`hypothesis: ${stated.text}`);
  } catch (error) {
    // Without --watch the fault is what was asked for; the numbers are a bonus.
    if (options.watch) throw error;
    log.warn(`no hypothesis numbers: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { app } = await startScenario(scenario, { app: options.app }, deps.chaos);
  if (stated && hypothesisOf(scenario, app) !== stated.hypothesis) {
    // Fell back to the app-level form: its hypothesis is another one.
    stated = await state(scenario, app, deps.backends);
    log.info(`hypothesis (app-level): ${stated.text}`);
  }
  await record(
    { at: Date.now(), kind: "start", scenario: scenario.name, app, ...(stated ? { stated } : {}) },
    deps.env,
  );
  if (!options.watch || !stated) return undefined;
  const verdict = await watchFault(stated, scenario, deps.backends, deps.watch);
  await record(
    { at: Date.now(), kind: "verdict", scenario: scenario.name, ok: verdict.ok, line: verdict.line },
    deps.env,
  );
  if (!verdict.ok)
    throw failed(verdict, "is there traffic? (o11y-lab k6 load --background) — o11y-lab chaos stop ends it");
  log.success(verdict.line);
  return verdict;
}

/** `chaos stop`; with `watch`, then follows the last scenario's measure back to normal (or throws its FAIL). */
export async function stopWatched(options: { watch: boolean }, deps: WatchDeps): Promise<Verdict | undefined> {
  const running = current(await readJournal(deps.env));
  await stopChaos(deps.chaos);
  await record({ at: Date.now(), kind: "stop" }, deps.env);
  const stated = running?.start.stated;
  const scenario = running && scenarioByName(running.start.scenario);
  if (!stated || !scenario) return undefined;
  deps.chaos.log.info(`recovery: expect ${recoveryText(stated)}`);
  if (!options.watch) return undefined;
  const verdict = await watchRecovery(stated, scenario, deps.backends, deps.watch);
  await record(
    { at: Date.now(), kind: "recovery", scenario: scenario.name, ok: verdict.ok, line: verdict.line },
    deps.env,
  );
  if (!verdict.ok) throw failed(verdict, "something is still slow or failing: o11y-lab chaos status");
  deps.chaos.log.success(verdict.line);
  return verdict;
}
