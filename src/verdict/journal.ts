/**
 * What chaos did and what its hypotheses gave, one JSON line per event in the state dir: `chaos stop` reads which
 * scenario to check the recovery of, `report` draws the timeline, the TUI shows the running one.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stateDir } from "../stack/state.ts";
import type { Stated } from "./hypothesis.ts";

export type ChaosEvent =
  | {
      readonly at: number;
      readonly kind: "start";
      readonly scenario: string;
      readonly app: boolean;
      readonly stated?: Stated;
    }
  | {
      readonly at: number;
      readonly kind: "verdict" | "recovery";
      readonly scenario: string;
      readonly ok: boolean;
      readonly line: string;
    }
  | { readonly at: number; readonly kind: "stop" };

export function journalPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), "verdicts", "chaos.jsonl");
}

export async function record(event: ChaosEvent, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const path = journalPath(env);
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${JSON.stringify(event)}\n`);
}

/** Every event so far, oldest first; lines a crash cut short are skipped. */
export async function readJournal(env: NodeJS.ProcessEnv = process.env): Promise<ChaosEvent[]> {
  const text = await readFile(journalPath(env), "utf8").catch(() => "");
  return text.split("\n").flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as ChaosEvent] : [];
    } catch {
      return [];
    }
  });
}

/** The scenario started last and not stopped since, with its latest verdict. */
export function current(events: readonly ChaosEvent[]) {
  const lastStop = events.findLastIndex((e) => e.kind === "stop");
  const since = events.slice(lastStop + 1);
  const start = since.findLast((e) => e.kind === "start");
  if (start?.kind !== "start") return undefined;
  const verdict = since.findLast((e) => e.kind === "verdict" && e.scenario === start.scenario && e.at >= start.at);
  return { start, verdict: verdict?.kind === "verdict" ? verdict : undefined };
}
