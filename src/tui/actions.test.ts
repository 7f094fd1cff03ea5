import { expect, test } from "bun:test";
import { SCENARIOS } from "../chaos/catalogue.ts";
import { FaultClient } from "../chaos/faults.ts";
import { changeFaults, chaosMenu, roleUrls } from "./actions.ts";

test("the chaos menu is the whole catalogue; timed scenarios know their length", () => {
  const menu = chaosMenu();
  expect(menu.map((i) => i.name)).toEqual(SCENARIOS.map((s) => s.name));
  expect(menu.find((i) => i.name === "network-delay")?.seconds).toBe(300);
  expect(menu.find((i) => i.name === "pause-kafka")?.seconds).toBe(30);
  expect(menu.find((i) => i.name === "kill-random")?.seconds).toBeUndefined();
});

test("role URLs default to the published ports; --services overrides some", () => {
  const urls = roleUrls("service-d=http://127.0.0.1:28004/,nope=http://x");
  expect(urls["api-gateway"]).toBe("http://127.0.0.1:8080");
  expect(urls["service-d"]).toBe("http://127.0.0.1:28004");
  expect(urls).not.toHaveProperty("nope");
});

test("changing one fault keeps the others the role reports", async () => {
  const sent: Array<{ method: string; body: unknown }> = [];
  const request = (async (_url: string, init?: RequestInit) => {
    sent.push({ method: init?.method ?? "GET", body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return Response.json({ service: "service-d", latency_ms: 0, jitter_ms: 0, error_rate: 0.5, error_status: 503 });
  }) as typeof fetch;
  const client = new FaultClient(() => "http://service-d", request);
  await changeFaults(client, "service-d", { latency_ms: 800, jitter_ms: 100 });
  expect(sent).toEqual([
    { method: "GET", body: undefined },
    { method: "PUT", body: { latency_ms: 800, jitter_ms: 100, error_rate: 0.5, error_status: 503 } },
  ]);
  await changeFaults(client, "service-d", null);
  expect(sent.at(-1)?.method).toBe("DELETE");
});
