import { describe, expect, test } from "bun:test";
import { HttpError } from "../../src/errors.ts";
import type { Query } from "../../src/ports.ts";
import { memoryLog } from "../../test/support/http.ts";
import { createDb, stepSignal } from "./db.ts";

/** A SQL stand-in that is down (ECONNREFUSED) until `up` is set, counting the queries that reach it. */
function flakySql() {
  const state = { up: false, calls: 0 };
  const sql = (async () => {
    state.calls++;
    if (!state.up) throw Object.assign(new Error("refused"), { code: "ECONNREFUSED" });
    return [];
  }) as unknown as Query;
  return { sql, state };
}

const status = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (error) => (error instanceof HttpError ? error.status : 500),
  );

describe("database steps", () => {
  test("once Postgres is found down, steps fail at once with 503 until a probe reaches it again", async () => {
    const { sql, state } = flakySql();
    const log = memoryLog();
    const db = createDb(1000, log, sql);
    expect(await status(db(() => sql`SELECT 1`))).toBe(503);
    const reached = state.calls;
    const started = performance.now();
    expect(await status(db(() => sql`SELECT 1`))).toBe(503);
    expect(performance.now() - started).toBeLessThan(5);
    expect(state.calls).toBe(reached);
    state.up = true;
    await Bun.sleep(700);
    expect(await status(db(() => sql`SELECT 1`))).toBe(200);
    expect(log.lines.some((l) => l.startsWith("info Postgres reachable again"))).toBe(true);
  });

  test("a step out of time is a 504, and its query is told to cancel", async () => {
    const { sql } = flakySql();
    const db = createDb(50, memoryLog(), sql);
    let cancelled = false;
    const slow = () =>
      new Promise<never>(() => {
        stepSignal.getStore()?.addEventListener("abort", () => {
          cancelled = true;
        });
      });
    expect(await status(db(slow))).toBe(504);
    expect(cancelled).toBe(true);
  });
});
