import { describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import { Elysia } from "elysia";
import { testTelemetry } from "../../test/support/telemetry.ts";
import { ROLES } from "../roles.ts";
import { instrumentServer } from "../telemetry/http-server.ts";
import { createLog } from "../telemetry/logger.ts";
import { tracedQuery } from "../telemetry/sql.ts";
import { readConfig } from "./config.ts";
import { serveRole } from "./server.ts";
import { assemble } from "./wiring.ts";

const telemetry = testTelemetry();

describe("serve", () => {
  test("auto and hybrid roles get the auto server wrapper; manual roles get none, they bring their own", () => {
    for (const role of ROLES) {
      const config = readConfig(role.name, {});
      const { instrument } = assemble(
        role.name,
        config,
        createLog(role.name, () => {}),
      );
      expect({ role: role.name, auto: instrument === instrumentServer }).toEqual({
        role: role.name,
        auto: role.instrumentation !== "manual",
      });
    }
  });

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

  test("a probe records nothing: no span and no metric point, not even for the SQL check /ready runs", async () => {
    telemetry.reset();
    const config = { ...readConfig("service-a", {}), host: "127.0.0.1", port: 0 };
    const log = createLog("service-a", () => {});
    const sql = tracedQuery(async () => [], { host: "db", port: 5432, database: "probed" });
    const assembled = {
      app: new Elysia(),
      async ready() {
        await sql`SELECT 1`;
        return { postgres: "ok" };
      },
      instrument: instrumentServer,
      start() {},
      stop: async () => {},
    };
    const running = serveRole("service-a", config, assembled, log, { enabled: true, shutdown: async () => {} });
    const base = `http://127.0.0.1:${running.server.port}`;
    for (const path of ["/health", "/ready"]) expect((await fetch(`${base}${path}`)).status).toBe(200);
    await running.shutdown();
    expect(telemetry.spans()).toEqual([]);
    const db = await telemetry.points("db.client.operation.duration");
    expect(db.filter((p) => p["db.namespace"] === "probed")).toEqual([]);
    const http = await telemetry.points("http.server.request.duration");
    expect(http.filter((p) => ["/health", "/ready"].includes(String(p["http.route"])))).toEqual([]);
  });
});
