/**
 * A stand-in for the k6 runtime, for tests only: k6 cannot be installed here, so the scripts in k6/ are loaded by
 * Bun with `k6`, `k6/http` and `k6/metrics` replaced by these recording stubs, and `__ENV` set as k6 would.
 */
import { plugin } from "bun";

/** A response the way a k6 script reads it. */
export interface ShimResponse {
  status: number;
  body: string;
  error: string;
  timings: { duration: number };
  json(path?: string): unknown;
}

export interface ShimRequest {
  method: string;
  url: string;
  params: { tags?: Record<string, string>; timeout?: string } | undefined;
}

/** What the scripts did: requests, check results, metric samples, and console output. */
export const recorded = {
  requests: [] as ShimRequest[],
  checks: new Map<string, { passes: number; fails: number }>(),
  samples: new Map<string, unknown[]>(),
};

type Answer = { status: number; body?: unknown; duration?: number; error?: string };
let answer: (request: ShimRequest) => Answer = () => ({ status: 200, body: {} });

/** Sets how the fake network answers every following request. */
export function respondWith(fn: (request: ShimRequest) => Answer): void {
  answer = fn;
}

export function resetRecorded(): void {
  recorded.requests.length = 0;
  recorded.checks.clear();
  recorded.samples.clear();
}

function response(request: ShimRequest): ShimResponse {
  const { status, body, duration = 12, error = "" } = answer(request);
  const text = typeof body === "string" ? body : JSON.stringify(body ?? null);
  return {
    status,
    body: text,
    error,
    timings: { duration },
    // k6 takes a gjson path; the scripts only use top-level keys, and a non-JSON body throws as in k6.
    json(path?: string) {
      const value: unknown = JSON.parse(text);
      if (!path) return value;
      return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[path] : undefined;
    },
  };
}

function request(method: string) {
  return (url: string, params?: ShimRequest["params"]) => {
    const req = { method, url, params };
    recorded.requests.push(req);
    return response(req);
  };
}

function check(res: ShimResponse, checks: Record<string, (r: ShimResponse) => boolean>): boolean {
  let all = true;
  for (const [name, fn] of Object.entries(checks)) {
    const ok = fn(res);
    const tally = recorded.checks.get(name) ?? { passes: 0, fails: 0 };
    if (ok) tally.passes += 1;
    else tally.fails += 1;
    recorded.checks.set(name, tally);
    all &&= ok;
  }
  return all;
}

class Metric {
  constructor(readonly name: string) {
    recorded.samples.set(name, []);
  }
  add(value: unknown): void {
    recorded.samples.get(this.name)?.push(value);
  }
}

/** Registers the stub modules and `__ENV`; call before importing any script. */
export function installK6Shim(env: Record<string, string>): void {
  (globalThis as Record<string, unknown>).__ENV = env;
  plugin({
    name: "k6-shim",
    setup(build) {
      build.module("k6", () => ({ loader: "object", exports: { check, sleep: () => {}, group: () => {} } }));
      build.module("k6/http", () => ({
        loader: "object",
        exports: { default: { get: request("GET"), post: request("POST") } },
      }));
      build.module("k6/metrics", () => ({
        loader: "object",
        exports: { Counter: Metric, Rate: Metric, Trend: Metric, Gauge: Metric },
      }));
    },
  });
}
