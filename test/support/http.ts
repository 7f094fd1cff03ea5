import type { Elysia } from "elysia";
import type { Log } from "../../src/ports.ts";
import { baseApp } from "../../src/serve/app.ts";
import { FaultSwitch } from "../../src/serve/faults.ts";

/** A logger that remembers what it was told, for assertions. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (message: string, ...args: unknown[]) =>
      lines.push(`${level} ${message}${args.length ? ` ${args.map(String).join(" ")}` : ""}`);
  return { lines, debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") };
}

/** A role's routes mounted the way `serve` mounts them (base routes, error mapping), without a socket. */
export function mount(
  role: string,
  // biome-ignore lint/suspicious/noExplicitAny: any role's Elysia instance.
  app: Elysia<any, any, any, any, any, any, any>,
  ready: () => Promise<Record<string, string>> = async () => ({}),
) {
  const mounted = baseApp(role, memoryLog(), ready, new FaultSwitch()).use(app);
  return async (path: string, init?: RequestInit) => {
    const response = await mounted.handle(new Request(`http://localhost${path}`, init));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

/** A fetch stand-in answering from a table of URL prefixes; anything else is "connection refused". */
export function fakeFetch(routes: Record<string, (request: Request) => Response | Promise<Response>>) {
  const calls: Request[] = [];
  const fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(String(input), init);
    calls.push(request);
    const match = Object.keys(routes).find((prefix) => request.url.startsWith(prefix));
    if (!match) throw Object.assign(new Error("Unable to connect"), { code: "ConnectionRefused" });
    init?.signal?.throwIfAborted();
    return (routes[match] as (request: Request) => Response | Promise<Response>)(request);
  };
  return { fetch, calls };
}
