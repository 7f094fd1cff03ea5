/**
 * service-c's consumer against the real broker: it keeps up with the load tests' rate, its lag is measured
 * from the broker (so it rises while service-c is dead), and a restart neither stalls consumption nor
 * processes a message twice without noticing.
 */
import { describe, expect, test } from "bun:test";
import { type Lab, lab } from "./lab.ts";
import { pollUntil } from "./peers.ts";

const CONSUMER = 5;

type Stats = { messages_processed: number; lag: number | null };
const stats = async (l: Lab) => (await (await fetch(`${l.roleUrl("service-c")}/stats`)).json()) as Stats;

/** Posts to service-b at `perSecond` until `stop()`; returns the ids Kafka acknowledged. */
function produce(l: Lab, perSecond: number) {
  const ids: string[] = [];
  let running = true;
  const done = (async () => {
    let n = 0;
    const started = performance.now();
    while (running) {
      const due = started + (n * 1000) / perSecond;
      if (due > performance.now()) await Bun.sleep(due - performance.now());
      n++;
      void fetch(`${l.roleUrl("service-b")}/enqueue`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: `consumer test ${n}` }),
      })
        .then(async (r) => (r.ok ? ids.push(((await r.json()) as { id: string }).id) : undefined))
        .catch(() => {});
    }
  })();
  return {
    ids,
    async stop() {
      running = false;
      await done;
      await Bun.sleep(500);
    },
  };
}

async function drained(l: Lab) {
  await pollUntil("service-c to drain its lag", async () => (await stats(l)).lag === 0, {
    timeoutMs: 90_000,
    intervalMs: 500,
  });
}

describe("service-c's consumer", () => {
  test("keeps lag ~0 at the load tests' steady rate (20 msg/s)", async () => {
    const l = await lab();
    await drained(l);
    const load = produce(l, 20);
    const lags: number[] = [];
    for (let i = 0; i < 20; i++) {
      await Bun.sleep(1000);
      lags.push((await stats(l)).lag ?? Number.NaN);
    }
    await load.stop();
    // A second's worth of messages in flight at most, and not growing.
    expect(Math.max(...lags.slice(5))).toBeLessThanOrEqual(25);
    await drained(l);
  }, 120_000);

  test("killed while consuming: lag rises in Prometheus; restarted: it drains again", async () => {
    const l = await lab();
    await drained(l);
    const load = produce(l, 20);
    await Bun.sleep(2000);
    l.role("service-c").process.kill("SIGKILL");
    const risen = await l.prometheus.waitForQuery('sum(service_c_consumer_lag{job="o11y-lab/service-b"})', {
      timeoutMs: 30_000,
      predicate: (v) => Number(v[0]?.value[1]) > 100,
    });
    expect(Number(risen[0]?.value[1])).toBeGreaterThan(100);
    await load.stop();
    await l.startRole("service-c");
    await drained(l);
  }, 120_000);

  test("restarted while consuming: consuming again within 5 s, and no message processed twice unnoticed", async () => {
    const l = await lab();
    await drained(l);
    const load = produce(l, 20);
    await Bun.sleep(3000);
    const old = l.role("service-c").process;
    old.kill("SIGTERM");
    await old.exited;
    const restarted = performance.now();
    await l.startRole("service-c");
    const consuming = await pollUntil(
      "the new service-c to process a message",
      async () => ((await stats(l)).messages_processed > 0 ? performance.now() - restarted : undefined),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await Bun.sleep(3000);
    await load.stop();
    await drained(l);
    expect(consuming).toBeLessThan(5000);
    const ids = new Set(load.ids);
    await l.sink.waitFor(
      () => {
        const seen = new Set(
          l.sink
            .spans()
            .filter((s) => s.span.kind === CONSUMER)
            .map((s) => s.attributes["messaging.message.id"]),
        );
        return [...ids].every((id) => seen.has(id)) || undefined;
      },
      30_000,
      "a CONSUMER span for every acknowledged message",
    );
    const processed = new Map<string, number>();
    for (const s of l.sink.spans()) {
      const id = s.attributes["messaging.message.id"] as string;
      if (s.span.kind !== CONSUMER || !ids.has(id)) continue;
      const skipped = (s.span.events ?? []).some((e) => e.name === "redelivery skipped");
      if (!skipped) processed.set(id, (processed.get(id) ?? 0) + 1);
    }
    const twice = [...processed].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    expect(processed.size).toBe(ids.size);
  }, 180_000);

  test("a broker frozen past the session timeout: the consumer comes back by itself and processes what follows", async () => {
    const l = await lab();
    await drained(l);
    l.kafka.pause();
    try {
      // Longer than the 10 s session timeout: the coordinator forgets the member (the crash kafkajs does not restart).
      await Bun.sleep(15_000);
    } finally {
      l.kafka.resume();
    }
    const load = produce(l, 10);
    await Bun.sleep(5000);
    await load.stop();
    const ids = new Set(load.ids);
    expect(ids.size).toBeGreaterThan(20);
    await l.sink.waitFor(
      () => {
        const seen = new Set(
          l.sink
            .spans()
            .filter((s) => s.span.kind === CONSUMER)
            .map((s) => s.attributes["messaging.message.id"]),
        );
        return [...ids].every((id) => seen.has(id)) || undefined;
      },
      60_000,
      "service-c to process every message sent after the freeze",
    );
    await drained(l);
  }, 180_000);
});
