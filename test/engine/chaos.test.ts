/**
 * Chaos on the real engine, with the lab up (lab.test.ts runs first): Pumba (its stand-in image, through the
 * Docker socket) kills, pauses and stresses the lab's containers; the services' own fault flags do the rest. The
 * kernel here has no sch_netem: netem scenarios are checked through `chaos preflight` and their app-level form.
 */
import { beforeAll, expect, test } from "bun:test";
import { STRESS_IMAGE } from "../../src/chaos/catalogue.ts";
import { allHealthy, docker, gateway, lab, said, until } from "./engine.ts";

const MINUTE = 60_000;

async function state(container: string): Promise<string> {
  return (await docker("inspect", "--format", "{{.State.Status}}", container)).stdout.trim();
}

beforeAll(async () => {
  if (!(await allHealthy())) {
    const run = await lab(["up"], { timeoutMs: 10 * MINUTE });
    expect(run.code, said(run)).toBe(0);
  }
}, 11 * MINUTE);

test("chaos preflight: container faults yes, netem no (the kernel's own reason), 5 of 5 services take flags", async () => {
  const run = await lab(["chaos", "preflight"]);
  expect(run.code, said(run)).toBe(0);
  expect(run.output).toMatch(/container faults \(kill, pause, stress\): yes, Docker 20\.10/);
  expect(run.output).toMatch(/network faults \(netem\): no \(.+\)/);
  expect(run.output).toContain("5 of 5 services answer /admin/faults");
});

test(
  "kill-gateway, then chaos stop: the gateway is gone, then healthy again",
  async () => {
    const run = await lab(["chaos", "kill-gateway"]);
    expect(run.code, said(run)).toBe(0);
    expect(await state("api-gateway")).toBe("exited");
    expect(
      await gateway().then(
        () => "answered",
        () => "refused",
      ),
    ).toBe("refused");
    const stop = await lab(["chaos", "stop"]);
    expect(stop.code, said(stop)).toBe(0);
    expect(stop.output).toContain("started api-gateway");
    await until("the lab healthy again", allHealthy, 2 * MINUTE);
    expect((await gateway()).status).toBe(200);
  },
  4 * MINUTE,
);

test(
  "pause-kafka under traffic: Kafka frozen then thawed by itself, and every message service-b took is processed",
  async () => {
    const stats = async () =>
      (await (await fetch("http://127.0.0.1:8003/stats")).json()) as { messages_processed: number; lag: number };
    const before = (await stats()).messages_processed;
    // Messages flow into service-b before, during and after the freeze; every one it acknowledged must come out
    // at service-c, those taken just before the freeze and still in flight included.
    const sent: number[] = [];
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const status = await fetch("http://127.0.0.1:8002/enqueue", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ message: `pause-kafka ${i}` }),
          signal: AbortSignal.timeout(60_000),
        }).then(
          (r) => r.status,
          () => 0,
        );
        sent.push(status);
        await Bun.sleep(100);
      }
    })();
    await until("messages flowing", async () => sent.length >= 10, 30_000);
    const run = await lab(["chaos", "pause-kafka"]);
    expect(run.code, said(run)).toBe(0);
    expect(await state("kafka")).toBe("paused");
    await until("kafka thawed", async () => (await state("kafka")) === "running", MINUTE);
    await Bun.sleep(5000);
    sending = false;
    await sender;
    const acknowledged = sent.filter((s) => s === 200).length;
    await until(
      `service-c processing the ${acknowledged} acknowledged messages (lag 0)`,
      async () => {
        const now = await stats();
        return now.messages_processed - before >= acknowledged && now.lag === 0;
      },
      2 * MINUTE,
    );
    expect(acknowledged).toBeGreaterThan(0);
    await until("the lab healthy again by itself", allHealthy, 2 * MINUTE);
  },
  5 * MINUTE,
);

test(
  "stress-postgres: the pinned stress-ng helper, never pulled by Pumba; chaos stop ends it",
  async () => {
    const run = await lab(["chaos", "stress-postgres"]);
    expect(run.code, said(run)).toBe(0);
    expect(run.output).toContain("stress-postgres is on");
    const args = await docker("inspect", "--format", "{{json .Args}}", "pumba-stress-postgres");
    expect(JSON.parse(args.stdout)).toEqual(
      expect.arrayContaining(["--stress-image", STRESS_IMAGE, "--pull-image=false"]),
    );
    const helper = await until(
      "the stress-ng helper beside postgres",
      async () => {
        const ps = await docker("ps", "--filter", "label=com.gaiaadm.pumba.skip", "--format", "{{.Image}}");
        return ps.stdout.trim() || undefined;
      },
      30_000,
    );
    expect(helper).toBe(STRESS_IMAGE);
    const stop = await lab(["chaos", "stop"]);
    expect(stop.code, said(stop)).toBe(0);
    expect(stop.output).toContain("stopped pumba-stress-postgres");
    await until(
      "no helper left",
      async () => (await docker("ps", "-q", "--filter", "label=com.gaiaadm.pumba.skip")).stdout.trim() === "",
      30_000,
    );
  },
  3 * MINUTE,
);

test(
  "a Pumba that exits at once (its target is stopped) is reported as a failure, not as on",
  async () => {
    await docker("stop", "postgres");
    const run = await lab(["chaos", "stress-postgres"]);
    expect(run.code).toBe(1);
    expect(run.output).toContain("pumba-stress-postgres stopped right after it started (exited");
    expect(run.output).not.toContain("is on");
    const stop = await lab(["chaos", "stop"]);
    expect(stop.output).toContain("started postgres");
    await until("the lab healthy again", allHealthy, 2 * MINUTE);
  },
  4 * MINUTE,
);

test(
  "app-level faults on the containers: 500-errors, and a netem scenario falling back to its --app form",
  async () => {
    const on = await lab(["chaos", "500-errors"]);
    expect(on.code, said(on)).toBe(0);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await gateway()).status);
    expect(statuses).toContain(500);
    expect(statuses).toContain(200);
    const status = await lab(["chaos", "status"]);
    expect(status.output).toContain("service-a fault flags: 50% answered 500");

    const delay = await lab(["chaos", "delay-service-a"]);
    expect(delay.code, said(delay)).toBe(0);
    expect(delay.output).toContain("netem does not work on this Docker host");
    expect(delay.output).toContain("using app-level faults instead");
    const started = performance.now();
    await gateway();
    expect(performance.now() - started).toBeGreaterThan(700);

    const stop = await lab(["chaos", "stop"]);
    expect(stop.output).toContain("cleared fault flags on service-a");
    const after: number[] = [];
    for (let i = 0; i < 10; i++) after.push((await gateway()).status);
    expect(after).toEqual(Array(10).fill(200));
  },
  3 * MINUTE,
);

test("chaos clean leaves no chaos container and no helper; chaos status says so", async () => {
  const clean = await lab(["chaos", "clean"]);
  expect(clean.code, said(clean)).toBe(0);
  for (const label of ["o11y-lab.chaos", "com.gaiaadm.pumba.skip"]) {
    expect((await docker("ps", "-aq", "--filter", `label=${label}`)).stdout.trim()).toBe("");
  }
  const status = await lab(["chaos", "status"]);
  expect(status.output).toContain("no chaos containers");
  expect(status.output).not.toContain("fault flags");
  expect(await allHealthy()).toBe(true);
});
