import { Elysia, t } from "elysia";

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

const FaultsPatch = t.Partial(
  t.Object({
    latency_ms: t.Number({ minimum: 0, maximum: 120_000 }),
    jitter_ms: t.Number({ minimum: 0, maximum: 120_000 }),
    error_rate: t.Number({ minimum: 0, maximum: 1 }),
    error_status: t.Integer({ minimum: 400, maximum: 599 }),
  }),
);

function num(value: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number in ${min}..${max}`);
  return n;
}

/** Reads LAB_FAULT_LATENCY_MS, LAB_FAULT_JITTER_MS, LAB_FAULT_ERROR_RATE and LAB_FAULT_ERROR_STATUS. */
export function faultsFromEnv(env: Record<string, string | undefined>): Faults {
  return {
    latency_ms: num(env.LAB_FAULT_LATENCY_MS, 0, 0, 120_000, "LAB_FAULT_LATENCY_MS"),
    jitter_ms: num(env.LAB_FAULT_JITTER_MS, 0, 0, 120_000, "LAB_FAULT_JITTER_MS"),
    error_rate: num(env.LAB_FAULT_ERROR_RATE, 0, 0, 1, "LAB_FAULT_ERROR_RATE"),
    error_status: num(env.LAB_FAULT_ERROR_STATUS, 500, 400, 599, "LAB_FAULT_ERROR_STATUS"),
  };
}

/** Routes that must answer even while faults are on: probes and the switch itself. */
const EXEMPT = /^\/(health|ready|admin)(\/|$)/;

type Handler = (request: Request) => Promise<Response> | Response;

/** Wraps a handler so the current faults apply to it. `random` and `sleep` are injectable for tests. */
export function withFaults(
  handler: Handler,
  current: () => Faults,
  role: string,
  random: () => number = Math.random,
  sleep: (ms: number) => Promise<void> = Bun.sleep,
): Handler {
  return async function faulty(request) {
    const faults = current();
    if (EXEMPT.test(new URL(request.url).pathname)) return handler(request);
    const delay = faults.latency_ms + (random() * 2 - 1) * faults.jitter_ms;
    if (delay > 0) await sleep(delay);
    if (faults.error_rate > 0 && random() < faults.error_rate) {
      return Response.json(
        { status: "error", service: role, error: `injected fault (HTTP ${faults.error_status})`, fault: true },
        { status: faults.error_status },
      );
    }
    return handler(request);
  };
}

/** GET/PUT/DELETE /admin/faults: the runtime switch `o11y-lab chaos --app` and the TUI use. */
export function faultRoutes(state: { faults: Faults }, role: string) {
  return new Elysia({ name: "faults" })
    .get("/admin/faults", function getFaults() {
      return { service: role, ...state.faults };
    })
    .put(
      "/admin/faults",
      function putFaults({ body }) {
        state.faults = { ...state.faults, ...body };
        return { service: role, ...state.faults };
      },
      { body: FaultsPatch },
    )
    .delete("/admin/faults", function clearFaults() {
      state.faults = { ...NO_FAULTS };
      return { service: role, ...state.faults };
    });
}
