import { expect, test } from "bun:test";
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";
import "./kafka.ts"; // its patches of kafkajs' request queue

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function queue(requestTimeout: number) {
  const q = new RequestQueue({
    requestTimeout,
    enforceRequestTimeout: true,
    clientId: "t",
    broker: "b",
    logger: quiet,
  });
  q.scheduleRequestTimeoutCheck(); // what a Connection does once connected
  return q;
}

/** A request as a Connection pushes it; the broker's answer is up to the test. */
function request(q: RequestQueue, correlationId: number) {
  return new Promise((resolve, reject) => {
    const entry = { correlationId, apiName: "Fetch", apiKey: 1, apiVersion: 11, resolve, reject };
    q.push({ entry, expectResponse: true, sendRequest: () => {} });
  });
}

test("an idle connection keeps no timer; one runs while a request is in flight and stops after its answer", async () => {
  const q = queue(100);
  expect(q.requestTimeoutIntervalId).toBeNull();
  const answered = request(q, 1);
  expect(q.requestTimeoutIntervalId).not.toBeNull();
  q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
  await answered;
  await Bun.sleep(250);
  expect(q.requestTimeoutIntervalId).toBeNull();
  q.destroy();
});

test("a request the broker never answers still times out, and then the timer stops", async () => {
  const q = queue(50);
  const started = performance.now();
  const error = await request(q, 7).catch((e: Error) => e);
  expect(String(error)).toContain("Request Fetch(key: 1, version: 11) timed out");
  expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  expect(performance.now() - started).toBeLessThan(1000);
  await Bun.sleep(100);
  expect(q.requestTimeoutIntervalId).toBeNull();
});
