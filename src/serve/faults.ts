import { Elysia, t } from "elysia";
import { HttpError } from "../errors.ts";

/**
 * App-level fault flags: chaos that needs no Docker privileges (works where netem does not, e.g.
 * Docker Desktop). Latency is mean ± jitter (uniform); errors answer `errorStatus` at `errorRate`.
 */
export interface Faults {
  latency_ms: number;
  jitter_ms: number;
  error_rate: number;
  error_status: number;
}

export const NO_FAULTS: Faults = { latency_ms: 0, jitter_ms: 0, error_rate: 0, error_status: 500 };

/**
 * The longest injected delay (latency + jitter). Bun closes a connection idle for `idleTimeout` (60 s, see
 * server.ts) with no answer at all, so a delay must end well before it or the fault shows as a reset.
 */
export const MAX_DELAY_MS = 30_000;

const ms = (field: string) =>
  t.Number({ minimum: 0, maximum: MAX_DELAY_MS, error: `${field}: must be a number of ms from 0 to ${MAX_DELAY_MS}` });

// Strict: unknown keys are refused (not merged into the flags), and numbers must be JSON numbers (a
// string "503" is a 400, as "100" is). t.Integer would coerce strings; a multipleOf-1 number does not.
const FaultsPatch = t.Partial(
  t.Object({
    latency_ms: ms("latency_ms"),
    jitter_ms: ms("jitter_ms"),
    error_rate: t.Number({ minimum: 0, maximum: 1, error: "error_rate: must be a number from 0 to 1" }),
    error_status: t.Number({
      minimum: 400,
      maximum: 599,
      multipleOf: 1,
      error: "error_status: must be a whole number from 400 to 599",
    }),
  }),
  { additionalProperties: false },
);

/**
 * The flags of one role, and the signal that ends the delays in progress when they change: clearing a
 * latency fault releases the requests it is holding instead of leaving them to sleep it out.
 */
export class FaultSwitch {
  #faults: Faults;
  #changed = new AbortController();

  constructor(initial: Faults = NO_FAULTS) {
    this.#faults = checked({ ...initial });
  }

  get faults(): Faults {
    return this.#faults;
  }

  /** Aborts when the flags next change. */
  get changed(): AbortSignal {
    return this.#changed.signal;
  }

  set(next: Faults): Faults {
    this.#faults = checked(next);
    this.#changed.abort();
    this.#changed = new AbortController();
    return this.#faults;
  }
}

function checked(faults: Faults): Faults {
  if (faults.latency_ms + faults.jitter_ms > MAX_DELAY_MS) {
    throw HttpError.badRequest("jitter_ms", `jitter_ms: latency_ms + jitter_ms must be at most ${MAX_DELAY_MS}`);
  }
  return faults;
}

function num(value: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number in ${min}..${max}`);
  return n;
}

/** Reads LAB_FAULT_LATENCY_MS, LAB_FAULT_JITTER_MS, LAB_FAULT_ERROR_RATE and LAB_FAULT_ERROR_STATUS. */
export function faultsFromEnv(env: Record<string, string | undefined>): Faults {
  const faults = {
    latency_ms: num(env.LAB_FAULT_LATENCY_MS, 0, 0, MAX_DELAY_MS, "LAB_FAULT_LATENCY_MS"),
    jitter_ms: num(env.LAB_FAULT_JITTER_MS, 0, 0, MAX_DELAY_MS, "LAB_FAULT_JITTER_MS"),
    error_rate: num(env.LAB_FAULT_ERROR_RATE, 0, 0, 1, "LAB_FAULT_ERROR_RATE"),
    error_status: num(env.LAB_FAULT_ERROR_STATUS, 500, 400, 599, "LAB_FAULT_ERROR_STATUS"),
  };
  if (faults.latency_ms + faults.jitter_ms > MAX_DELAY_MS) {
    throw new Error(`LAB_FAULT_LATENCY_MS + LAB_FAULT_JITTER_MS must be at most ${MAX_DELAY_MS}`);
  }
  return faults;
}

/** Routes that must answer even while faults are on: probes and the switch itself. */
const EXEMPT = /^\/(health|ready|admin)(\/|$)/;

type Handler = (request: Request) => Promise<Response> | Response;

/** Sleeps `ms`, ending early (without error) when `signal` aborts. */
export function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/**
 * Wraps a handler so the current faults apply to it. A delay ends early when the flags change or the client
 * goes away; the error decision is then taken on the flags in force. `random` and `sleep` are injectable for tests.
 */
export function withFaults(
  handler: Handler,
  faults: FaultSwitch,
  role: string,
  random: () => number = Math.random,
  sleep: (ms: number, signal: AbortSignal) => Promise<void> = sleepUnless,
): Handler {
  return async function faulty(request) {
    if (EXEMPT.test(new URL(request.url).pathname)) return handler(request);
    const { latency_ms, jitter_ms } = faults.faults;
    const delay = latency_ms + (random() * 2 - 1) * jitter_ms;
    if (delay > 0) await sleep(delay, AbortSignal.any([faults.changed, request.signal]));
    const { error_rate, error_status } = faults.faults;
    if (error_rate > 0 && random() < error_rate) {
      return Response.json(
        { status: "error", service: role, error: `injected fault (HTTP ${error_status})`, fault: true },
        { status: error_status },
      );
    }
    return handler(request);
  };
}

/** GET/PUT/DELETE /admin/faults: the runtime switch `o11y-lab chaos --app` and the TUI use. */
export function faultRoutes(faults: FaultSwitch, role: string) {
  return new Elysia({ name: "faults" })
    .get("/admin/faults", function getFaults() {
      return { service: role, ...faults.faults };
    })
    .put(
      "/admin/faults",
      function putFaults({ body }) {
        return { service: role, ...faults.set({ ...faults.faults, ...body }) };
      },
      { body: FaultsPatch },
    )
    .delete("/admin/faults", function clearFaults() {
      return { service: role, ...faults.set({ ...NO_FAULTS }) };
    });
}
