import { describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import { testTelemetry } from "../../test/support/telemetry.ts";
import { createLog } from "../telemetry/logger.ts";
import { readConfig } from "./config.ts";
import { serveRole } from "./server.ts";
import { assemble } from "./wiring.ts";

const telemetry = testTelemetry();

describe("serve", () => {
  test("requests get server spans named by route; the probes that healthchecks hit do not", async () => {
    telemetry.reset();
    const config = { ...readConfig("service-d", {}), host: "127.0.0.1", port: 0 };
    const log = createLog("service-d", () => {});
    const running = serveRole("service-d", config, assemble("service-d", config, log), log, {
      enabled: true,
      shutdown: async () => {},
    });
    const base = `http://127.0.0.1:${running.server.port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect((await fetch(`${base}/info`)).status).toBe(200);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    await running.shutdown();
    const names = telemetry
      .spans()
      .filter((s) => s.kind === SpanKind.SERVER)
      .map((s) => s.name);
    expect(names).toEqual(["GET /info", "GET"]);
  });
});
