import { AsyncLocalStorage } from "node:async_hooks";
import { HttpError } from "../../src/errors.ts";
import type { Log, Query } from "../../src/ports.ts";

/** Error codes that mean "Postgres is not there" rather than "the query is wrong". */
const UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ConnectionRefused",
  "ConnectionClosed",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);
/** A connect that timed out or a full server says "slow" or "busy", not "gone": no reason to refuse everyone. */
const NOT_PROOF_OF_ABSENCE = new Set(["CONNECT_TIMEOUT", "53300"]);

/** The signal of the database step in progress: the SQL client cancels its query when it aborts. */
export const stepSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Steps waiting or running at once: past this, Postgres is saturated and the answer is a 503 at once. A request
 * holds one step at a time, so 256 closed-loop clients (the heaviest load run against the lab) fit.
 */
const MAX_IN_FLIGHT = 256;
/** While Postgres is known to be down, one `SELECT 1` this often tells when it is back. */
const PROBE_EVERY_MS = 500;

/** Runs database steps within a time budget: see `createDb`. */
export type Db = <T>(step: () => Promise<T>, timeoutMs?: number) => Promise<T>;

/**
 * Runs each database step within a time budget. Postgres down → 503, too slow → 504, both naming
 * "postgres"; a broken query stays a 500, because that is our bug, not the database's. A step that runs
 * out of time is cancelled (its query is removed from the client's queue, or cancelled on the server), so
 * a 504 means the work was not done. Once Postgres is found unreachable, every step fails at once with a
 * 503 until a probe reaches it again: no request waits out a reconnect it cannot win.
 * The probe runs on `probeSql`, untraced: started by whichever request met the outage, it would otherwise hang
 * a SELECT 1 span off that request every half second.
 */
export function createDb(timeoutMs: number, log: Log, probeSql: Query): Db {
  let down: string | undefined;
  let inFlight = 0;

  async function attempt<T>(step: () => Promise<T>, budgetMs: number): Promise<T> {
    const controller = new AbortController();
    let timer: Timer | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(HttpError.dependency("postgres", "timeout", `postgres did not answer within ${budgetMs} ms`));
      }, budgetMs);
    });
    try {
      return await Promise.race([stepSignal.run(controller.signal, step), timeout]);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const code = (error as { code?: string }).code;
      if (code === "57014") {
        throw HttpError.dependency("postgres", "timeout", `postgres cancelled the statement after ${budgetMs} ms`);
      }
      if (code && UNAVAILABLE.has(code)) {
        if (!NOT_PROOF_OF_ABSENCE.has(code)) markDown(code);
        throw HttpError.dependency("postgres", "unavailable", `postgres unavailable (${code})`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  function markDown(code: string): void {
    if (down) return;
    down = code;
    log.warn(`Postgres unreachable (${code}): answering 503 at once until it is back`);
    void probe();
  }

  async function probe(): Promise<void> {
    while (down) {
      // unref: a probe alone does not keep the process alive.
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS).unref());
      const back = await attempt(() => probeSql`SELECT 1`, timeoutMs).then(
        () => true,
        () => false,
      );
      if (back) {
        log.info(`Postgres reachable again after ${down}`);
        down = undefined;
      }
    }
  }

  return async function run<T>(step: () => Promise<T>, budgetMs = timeoutMs): Promise<T> {
    if (down) throw HttpError.dependency("postgres", "unavailable", `postgres unavailable (${down})`);
    if (inFlight >= MAX_IN_FLIGHT) {
      throw HttpError.dependency("postgres", "unavailable", `postgres busy: ${inFlight} queries waiting`);
    }
    inFlight++;
    try {
      return await attempt(step, budgetMs);
    } finally {
      inFlight--;
    }
  };
}

/**
 * The schema, created or brought up to date idempotently: every column is added if missing, so a
 * table left by an older version (the original lab's drift) is migrated rather than breaking /process.
 */
export async function migrate(sql: Query): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS request_logs (id SERIAL PRIMARY KEY)`;
  await sql`ALTER TABLE request_logs ADD COLUMN IF NOT EXISTS trace_id VARCHAR(32)`;
  await sql`ALTER TABLE request_logs ADD COLUMN IF NOT EXISTS timestamp TIMESTAMPTZ NOT NULL DEFAULT now()`;
  await sql`ALTER TABLE request_logs ADD COLUMN IF NOT EXISTS endpoint VARCHAR(255)`;
  await sql`ALTER TABLE request_logs ADD COLUMN IF NOT EXISTS status VARCHAR(50)`;
  await sql`ALTER TABLE request_logs ADD COLUMN IF NOT EXISTS duration_ms INTEGER`;
  await sql`ALTER TABLE request_logs ADD COLUMN IF NOT EXISTS instrumentation_type VARCHAR(50)`;
  await sql`CREATE INDEX IF NOT EXISTS request_logs_timestamp_idx ON request_logs (timestamp)`;
}
