import { HttpError } from "../../src/errors.ts";
import type { Query } from "../../src/ports.ts";

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

/**
 * Runs one database step within a time budget. Postgres down → 503, too slow → 504, both naming
 * "postgres"; a broken query stays a 500, because that is our bug, not the database's.
 */
export async function withDb<T>(timeoutMs: number, step: () => Promise<T>): Promise<T> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(HttpError.dependency("postgres", "timeout", `postgres did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([step(), timeout]);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const code = (error as { code?: string }).code;
    if (code && UNAVAILABLE.has(code))
      throw HttpError.dependency("postgres", "unavailable", `postgres unavailable (${code})`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
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
