/**
 * The poll loop, apart from the terminal so that it is unit-tested: each tick reads every source the screen shows,
 * in parallel, and applies all their answers at once, so one tick draws one frame. A key draws its own frame at
 * once; a key that needs data (a trace, another pane) brings the next tick forward instead of drawing again when the
 * data lands. Other completions (k6 finished, a message expiring) wait for the next tick's frame.
 */
import type { Faults } from "../chaos/faults.ts";
import type { RoleName } from "../roles.ts";
import { type EffectResult, onKey, openTrace } from "./keys.ts";
import type { LogFilter, LogLine } from "./loki.ts";
import { lokiFilter } from "./panes.ts";
import type { Drill, History, Snapshot } from "./snapshot.ts";
import { applyFaults, type Effect, selectedRoleName, sourceAnswered, type TuiState } from "./state.ts";
import type { TraceRow } from "./tempo.ts";
import { slowestSpanIndex, type Trace } from "./trace.ts";

/** Where the numbers come from: the backends, or a test's answers. */
export interface Sources {
  prometheus(state: TuiState): Promise<{ snapshot: Snapshot; history: History }>;
  faults(): Promise<Record<string, Faults | null>>;
  health(): Promise<TuiState["health"]>;
  traces(role: RoleName): Promise<TraceRow[]>;
  logs(filter: LogFilter): Promise<LogLine[]>;
  drill(role: RoleName): Promise<Drill>;
  trace(id: string): Promise<Trace>;
  /** The trace id of the slowest exemplar of `role` over the last `seconds`, or null when there is none. */
  exemplar(role: RoleName, seconds: number): Promise<string | null>;
  /** The lab step and the CLI-started scenario's hypothesis or verdict (src/verdict/status.ts). */
  verdict?(): Promise<string | undefined>;
}

type Change = (state: TuiState) => TuiState;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Settles `read` into a change of state: its answer, or its failure as the source's error. */
async function settle<T>(
  read: Promise<T>,
  ok: (value: T) => Change,
  failed: (error: string) => Change,
): Promise<Change> {
  try {
    const value = await read;
    return ok(value);
  } catch (error) {
    return failed(message(error));
  }
}

export class Loop {
  /** Frames drawn so far: what the render-count test counts. */
  frames = 0;
  private ticking: Promise<void> | null = null;
  private again = false;

  constructor(
    public state: TuiState,
    private readonly sources: Sources,
    private readonly draw: (state: TuiState) => void,
    /** Side effects of keys the loop does not carry out itself (k6, chaos, faults, browser, quit). */
    private readonly act: (effect: Effect) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Draws the current state now (the first frame, a resize). */
  frame(): void {
    this.state = { ...this.state, now: this.clock() };
    this.frames++;
    this.draw(this.state);
  }

  /** Changes the state without drawing: the next tick (or key) shows it. */
  change(change: Change): void {
    this.state = change({ ...this.state, now: this.clock() });
  }

  key(name: string): void {
    const result = onKey({ ...this.state, now: this.clock() }, name);
    this.state = result.state;
    this.frame();
    this.perform(result);
  }

  private perform({ effects }: EffectResult): void {
    for (const effect of effects) {
      if (effect.type === "refresh" || effect.type === "loadTrace") void this.tick();
      else if (effect.type === "exemplar") void this.exemplar(effect.role, effect.seconds);
      else this.act(effect);
    }
  }

  private async exemplar(role: RoleName, seconds: number): Promise<void> {
    const traceId = await this.sources.exemplar(role, seconds).catch((error: unknown) => {
      this.change((s) => ({ ...sourceAnswered(s, "prometheus", message(error)), message: message(error) }));
      return undefined;
    });
    if (traceId === undefined) return;
    if (traceId === null) {
      this.change((s) => ({ ...s, message: `no exemplar of ${role} in the last ${seconds / 60}m: no traffic yet?` }));
    } else {
      this.change((s) => ({ ...openTrace(s, traceId, role).state, message: `slowest ${role} request: ${traceId}` }));
    }
    await this.tick();
  }

  /** Reads, applies and draws once; a tick asked for while one runs runs right after it. */
  tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      do {
        this.again = false;
        const changes = await Promise.all(this.reads(this.state));
        this.change((s) => changes.reduce((next, change) => change(next), s));
        this.frame();
      } while (this.again);
      this.ticking = null;
    })();
    return this.ticking;
  }

  /** What the screen needs read now, each as a change to apply once everything answered. */
  private reads(state: TuiState): Promise<Change>[] {
    const { sources } = this;
    const reads: Promise<Change>[] = [];
    const open = state.trace;
    if (state.view === "trace" && open && !open.trace) {
      reads.push(
        settle(
          sources.trace(open.id),
          (trace) => (s) => {
            if (s.trace?.id !== trace.traceId) return s;
            const selected = Math.max(0, slowestSpanIndex(trace, s.trace.focus ?? undefined));
            return { ...sourceAnswered(s, "tempo", null), trace: { ...s.trace, trace, error: null, selected } };
          },
          (error) => (s) => (s.trace?.id === open.id ? { ...s, trace: { ...s.trace, error } } : s),
        ),
      );
    }
    if (state.paused) return reads;
    reads.push(
      settle(
        sources.prometheus(state),
        ({ snapshot, history }) =>
          (s) => ({ ...sourceAnswered(s, "prometheus", null), snapshot, history }),
        (error) => (s) => sourceAnswered(s, "prometheus", error),
      ),
      settle(
        sources.faults(),
        (faults) => (s) => applyFaults(s, faults),
        () => (s) => s,
      ),
      settle(
        sources.health(),
        (health) => (s) => ({ ...s, health }),
        () => (s) => s,
      ),
    );
    if (sources.verdict)
      reads.push(
        settle(
          sources.verdict(),
          (verdict) => (s) => ({ ...s, verdict }),
          () => (s) => s,
        ),
      );
    const role = selectedRoleName(state);
    if (state.pane === "traces") {
      reads.push(
        settle(
          sources.traces(role),
          (traces) => (s) => (selectedRoleName(s) === role ? { ...sourceAnswered(s, "tempo", null), traces } : s),
          (error) => (s) => sourceAnswered(s, "tempo", error),
        ),
      );
    }
    if (state.pane === "logs") {
      const filter = lokiFilter(state);
      reads.push(
        settle(
          sources.logs(filter),
          (logs) => (s) =>
            JSON.stringify(lokiFilter(s)) === JSON.stringify(filter) ? { ...sourceAnswered(s, "loki", null), logs } : s,
          (error) => (s) => sourceAnswered(s, "loki", error),
        ),
      );
    }
    if (state.view === "drill") {
      reads.push(
        settle(
          sources.drill(role),
          (drill) => (s) => ({ ...s, drill }),
          (error) => (s) => sourceAnswered(s, "prometheus", error),
        ),
      );
    }
    return reads;
  }
}
