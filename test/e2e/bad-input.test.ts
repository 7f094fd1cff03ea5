import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { ROLES, type RoleName } from "../../src/roles.ts";
import { lab, ROLE_PORTS } from "./lab.ts";

/** One raw HTTP/1.x exchange: what fetch cannot send (no Host, a Host that makes no URL). */
function raw(port: number, request: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk;
    });
    socket.on("end", () => {
      const [head = "", body = ""] = text.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    });
    socket.on("error", reject);
    socket.write(request);
  });
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
}

const timed = async (call: () => Promise<Response>) => {
  const started = performance.now();
  const response = await call();
  const body = await response.text();
  return { status: response.status, body, ms: performance.now() - started };
};

describe("bodies", () => {
  test("a 10 MB body and a deeply nested one get 413 / 400 within 100 ms on every route, and RSS stays bounded", async () => {
    const l = await lab();
    const tenMb = `[${"[".repeat(10 * 1024 * 1024 - 2)}]`;
    const nested = `${"[".repeat(30_000)}${"]".repeat(30_000)}`;
    const targets: [RoleName, string, string][] = [
      ["service-b", "POST", "/enqueue"],
      ["service-d", "PUT", "/admin/faults"],
      ["api-gateway", "PUT", "/admin/faults"],
    ];
    for (const [role, method, path] of targets) {
      const pid = l.role(role).process.pid;
      const before = rssKb(pid);
      const send = (body: string | ReadableStream) => () =>
        fetch(`${l.roleUrl(role)}${path}`, { method, body, headers: { "content-type": "application/json" } });
      // Past Bun's ceiling Bun answers itself (an empty 413); under it, a JSON 413 names the body.
      const big = await timed(send(tenMb));
      expect({ role, status: big.status }).toEqual({ role, status: 413 });
      expect(big.ms).toBeLessThan(100);
      const large = await timed(send(JSON.stringify({ message: "x".repeat(100_000) })));
      expect({ role, status: large.status, field: JSON.parse(large.body).field }).toEqual({
        role,
        status: 413,
        field: "body",
      });
      expect(large.ms).toBeLessThan(100);
      const deep = await timed(send(nested));
      expect({ role, status: deep.status, field: JSON.parse(deep.body).field }).toEqual({
        role,
        status: 400,
        field: "body",
      });
      expect(deep.ms).toBeLessThan(100);
      // Chunked, so no Content-Length to refuse it by: Bun's own limit stops it.
      const stream = new Blob([tenMb]).stream();
      const chunked = await timed(send(stream));
      expect(chunked.status).toBe(413);
      const five = await Promise.all(Array.from({ length: 5 }, () => timed(send(tenMb))));
      expect(five.map((r) => r.status)).toEqual([413, 413, 413, 413, 413]);
      expect(rssKb(pid) - before).toBeLessThan(64 * 1024);
      expect((await fetch(`${l.roleUrl(role)}/health`)).status).toBe(200);
    }
  });
});

describe("request URLs", () => {
  const unparsable = [
    "GET /info HTTP/1.0\r\n\r\n",
    "GET /info HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n",
    "GET /info HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n",
    "GET /info HTTP/1.1\r\nHost: 127.0.0.1:99999\r\nConnection: close\r\n\r\n",
  ];

  test("an unparsable URL or Host gets a plain 400 in JSON on every role, never a page with source", async () => {
    await lab();
    for (const role of ROLES) {
      for (const request of unparsable) {
        const { status, head, body } = await raw(ROLE_PORTS[role.name], request);
        expect({ role: role.name, request, status, type: /content-type: application\/json/i.test(head) }).toEqual({
          role: role.name,
          request,
          status: 400,
          type: true,
        });
        expect(JSON.parse(body)).toMatchObject({ status: "error", service: role.name, field: "url" });
        expect(body).not.toContain(process.cwd());
      }
    }
  });

  test("a short Host cannot move a request past the fault layer", async () => {
    const l = await lab();
    const faults = `${l.roleUrl("api-gateway")}/admin/faults`;
    const put = (body: object) =>
      fetch(faults, { method: "PUT", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    expect((await put({ error_rate: 1, error_status: 503 })).status).toBe(200);
    try {
      const port = ROLE_PORTS["api-gateway"];
      const get = (path: string, host: string) =>
        raw(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      for (const host of ["x", "ab", "abc", "127.0.0.1"]) {
        // The exempt /admin prefix routes to /admin/… or nowhere, never to /api/process.
        expect({ host, status: (await get("/admin/api/process", host)).status }).toEqual({ host, status: 404 });
        expect({ host, status: (await get("/api/process", host)).status }).toEqual({ host, status: 503 });
        expect({ host, status: (await get("/admin/../api/process", host)).status }).toEqual({ host, status: 503 });
      }
    } finally {
      await fetch(faults, { method: "DELETE" });
    }
  });
});

describe("the fault switch", () => {
  test("refuses what it cannot honour, naming the field", async () => {
    const l = await lab();
    const url = `${l.roleUrl("service-d")}/admin/faults`;
    const put = async (body: string, type = "application/json") => {
      const response = await fetch(url, { method: "PUT", body, headers: { "content-type": type } });
      return { status: response.status, field: ((await response.json()) as { field?: string }).field };
    };
    expect(await put('{"latency_ms":100}', "text/plain")).toEqual({ status: 415, field: "content-type" });
    expect(await put('{"latency_ms":100}', "application/x-www-form-urlencoded")).toEqual({
      status: 415,
      field: "content-type",
    });
    expect(await put('{"error_status":"503"}')).toEqual({ status: 400, field: "error_status" });
    expect(await put('{"latency_ms":"100"}')).toEqual({ status: 400, field: "latency_ms" });
    expect(await put('{"__proto__":{"latency_ms":100}}')).toEqual({ status: 400, field: "__proto__" });
    expect(await put('{"latency":100}')).toMatchObject({ status: 400 });
    expect(await put('{"latency_ms":20000,"jitter_ms":20000}')).toEqual({ status: 400, field: "jitter_ms" });
    expect(await (await fetch(url)).json()).toMatchObject({ latency_ms: 0, jitter_ms: 0, error_rate: 0 });
  });

  test("clearing a latency fault releases the requests it is holding", async () => {
    const l = await lab();
    const url = `${l.roleUrl("service-d")}/admin/faults`;
    await fetch(url, {
      method: "PUT",
      body: JSON.stringify({ latency_ms: 25_000 }),
      headers: { "content-type": "application/json" },
    });
    const started = performance.now();
    const held = Promise.all(
      Array.from({ length: 5 }, () => fetch(`${l.roleUrl("service-d")}/compute?value=5`).then((r) => r.status)),
    );
    await Bun.sleep(300);
    await fetch(url, { method: "DELETE" });
    expect(await held).toEqual([200, 200, 200, 200, 200]);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
