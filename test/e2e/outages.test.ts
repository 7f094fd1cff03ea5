/**
 * Dependencies taken away from the real services: Postgres stopped or locked, the broker frozen, service-c
 * killed and restarted. Each fault must show as what it is, and nothing answered with an error may leave
 * work behind.
 */
import { describe, expect, test } from "bun:test";
import postgres from "postgres";
import { type Lab, lab } from "./lab.ts";
import { pollUntil } from "./peers.ts";

const timedGet = async (url: string) => {
  const started = performance.now();
  const response = await fetch(url);
  await response.text();
  return { status: response.status, ms: performance.now() - started };
};

async function rowCount(l: Lab): Promise<number> {
  const sql = postgres(l.postgres.url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: string }[]>`SELECT COUNT(*) AS n FROM request_logs`;
    return Number(row?.n);
  } finally {
    await sql.end();
  }
}

describe("Postgres", () => {
  test("stopped: every request is a 503 within 100 ms for the whole outage, none leaves a row, recovery is by itself", async () => {
    const l = await lab();
    const url = `${l.roleUrl("service-a")}/process`;
    expect((await timedGet(url)).status).toBe(200);
    const before = await rowCount(l);
    let ok = 0;
    await l.postgres.stop();
    const during: { status: number; ms: number }[] = [];
    try {
      const until = performance.now() + 8000;
      while (performance.now() < until) {
        during.push(await timedGet(url));
        await Bun.sleep(100);
      }
    } finally {
      await l.postgres.start();
    }
    expect(new Set(during.map((r) => r.status))).toEqual(new Set([503]));
    expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(100);
    const back = performance.now();
    await pollUntil(
      "service-a to answer 200 again",
      async () => {
        const { status } = await timedGet(url);
        if (status === 200) ok++;
        return status === 200;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(performance.now() - back).toBeLessThan(5000);
    expect(await rowCount(l)).toBe(before + ok);
  }, 60_000);

  test("too slow: a 504 is cancelled on the server, so the row it was writing never appears", async () => {
    const l = await lab();
    const url = `${l.roleUrl("service-a")}/process`;
    await pollUntil("service-a to answer 200", async () => (await timedGet(url)).status === 200, {
      timeoutMs: 10_000,
    });
    const before = await rowCount(l);
    const locker = postgres(l.postgres.url, { max: 1, onnotice: () => {} });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // EXCLUSIVE lets the COUNT through and holds every INSERT until the lock goes.
    const locked = locker.begin(async (tx) => {
      await tx`LOCK TABLE request_logs IN EXCLUSIVE MODE`;
      await held;
    });
    try {
      await Bun.sleep(200);
      const answers = await Promise.all(Array.from({ length: 5 }, () => timedGet(url)));
      expect(answers.map((a) => a.status)).toEqual([504, 504, 504, 504, 504]);
    } finally {
      release();
      await locked;
      await locker.end();
    }
    await Bun.sleep(1000);
    expect(await rowCount(l)).toBe(before);
    expect((await timedGet(url)).status).toBe(200);
  }, 60_000);
});

describe("Kafka", () => {
  test("a frozen broker: /ready of the producer and the consumer says so, and both are ready again after", async () => {
    const l = await lab();
    const ready = async (role: string) => {
      const response = await fetch(`${l.roleUrl(role)}/ready`);
      return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
    };
    expect((await ready("service-b")).status).toBe(200);
    l.kafka.pause();
    try {
      for (const role of ["service-b", "service-c"]) {
        const { status, body } = await pollUntil(
          `${role} /ready to report the frozen broker`,
          async () => {
            const r = await ready(role);
            return r.status === 503 ? r : undefined;
          },
          { timeoutMs: 15_000, intervalMs: 500 },
        );
        expect({ role, status, kafka: body.checks.kafka === "ok" }).toEqual({ role, status: 503, kafka: false });
      }
    } finally {
      l.kafka.resume();
    }
    for (const role of ["service-b", "service-c"]) {
      await pollUntil(`${role} ready again`, async () => (await ready(role)).status === 200, {
        timeoutMs: 60_000,
        intervalMs: 500,
      });
    }
  }, 120_000);

  test("a send the frozen broker never acknowledged: the answer says it may still be published, and it is, once", async () => {
    const l = await lab();
    l.kafka.pause();
    let answer: { status: number; body: { error?: string } };
    try {
      const response = await fetch(`${l.roleUrl("service-a")}/process`);
      answer = { status: response.status, body: (await response.json()) as { error?: string } };
    } finally {
      l.kafka.resume();
    }
    expect(answer.status).toBe(504);
    const id = /message ([0-9a-f-]{36}) within \d+ ms; it may still be published once/.exec(
      answer.body.error ?? "",
    )?.[1];
    expect(id, answer.body.error).toBeDefined();
    await Bun.sleep(5000);
    const spans = await l.sink.waitFor(
      () => {
        const found = l.sink.spans().filter((s) => s.span.kind === 5 && s.attributes["messaging.message.id"] === id);
        return found.length > 0 ? found : undefined;
      },
      30_000,
      `service-c to process message ${id}`,
    );
    expect(spans.length).toBe(1);
  }, 120_000);
});
