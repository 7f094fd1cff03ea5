import { describe, expect, test } from "bun:test";
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from "kafkajs";
import { refusedUnwritten, sendRetryingRefusals } from "./kafka.ts";

const notLeader = () =>
  new KafkaJSNumberOfRetriesExceeded(
    // kafkajs builds protocol errors from its error-code table entry, typed here as a plain Error.
    new KafkaJSProtocolError({
      type: "NOT_LEADER_FOR_PARTITION",
      message: "not the leader",
      code: 6,
      retriable: true,
    } as unknown as Error),
    { retryCount: 0, retryTime: 0 },
  );

describe("sends the broker refused", () => {
  test("a refusal is recognised through kafkajs' wrapping; a timeout or a dropped connection is not", () => {
    expect(refusedUnwritten(notLeader())).toBe(true);
    expect(refusedUnwritten(new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 127.0.0.1:9092"))).toBe(
      true,
    );
    expect(refusedUnwritten(new KafkaJSConnectionError("Connection closed"))).toBe(false);
    expect(refusedUnwritten(new Error("Request Produce(key: 0, version: 7) timed out"))).toBe(false);
  });

  test("a refused send is sent again until it goes through; anything else, or the deadline, ends it", async () => {
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw notLeader();
      return "acked";
    };
    expect(await sendRetryingRefusals(flaky, performance.now() + 5000)).toBe("acked");
    expect(calls).toBe(3);
    calls = 0;
    const timedOut = async () => {
      calls++;
      throw new Error("timed out");
    };
    await expect(sendRetryingRefusals(timedOut, performance.now() + 5000)).rejects.toThrow("timed out");
    expect(calls).toBe(1);
    calls = 0;
    const refused = async () => {
      calls++;
      throw notLeader();
    };
    await expect(sendRetryingRefusals(refused, performance.now() + 250)).rejects.toThrow();
    expect(calls).toBeLessThanOrEqual(2);
  });
});
