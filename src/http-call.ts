import { type Failure, HttpError } from "./errors.ts";
import type { Fetch } from "./ports.ts";

/** How a dependency is called: its name (for errors and logs), a time budget, and the request. */
export interface Call {
  dependency: string;
  url: string;
  timeoutMs: number;
  init?: RequestInit;
}

/** Classifies a fetch failure: too slow → timeout, refused/reset/unreachable → unavailable. */
export function failureOf(error: unknown): Failure {
  const name = (error as { name?: string }).name;
  if (name === "TimeoutError" || name === "AbortError") return "timeout";
  return "unavailable";
}

/**
 * Calls a dependency and returns its JSON, or throws an HttpError that says which dependency failed
 * and how: 502 when it answered an error, 503 when it could not be reached, 504 when it was too slow.
 * The dependency's own 4xx/5xx status is kept in `upstreamStatus` so a proxy can pass it through.
 */
export async function callJson<T>(fetch: Fetch, call: Call): Promise<T> {
  let response: Response;
  try {
    response = await fetch(call.url, { ...call.init, signal: AbortSignal.timeout(call.timeoutMs) });
  } catch (error) {
    const failure = failureOf(error);
    const reason = failure === "timeout" ? `timed out after ${call.timeoutMs} ms` : "could not be reached";
    throw HttpError.dependency(call.dependency, failure, `${call.dependency} ${reason}`);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new UpstreamError(call.dependency, response.status, text);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw HttpError.dependency(call.dependency, "failed", `${call.dependency} answered something that is not JSON`);
  }
}

/**
 * A dependency answered with an error status: 502, except that its own 503 (something behind it is down) or
 * 504 (something behind it was too slow) is kept, so the fault shows as what it is at every hop.
 */
export class UpstreamError extends HttpError {
  constructor(
    dependency: string,
    readonly upstreamStatus: number,
    readonly upstreamBody: string,
  ) {
    const status = upstreamStatus === 503 || upstreamStatus === 504 ? upstreamStatus : 502;
    super(status, `${dependency} answered HTTP ${upstreamStatus}${reasonIn(upstreamBody)}`, { dependency });
    this.name = "UpstreamError";
  }
}

/** The `error` a role's JSON error body carries (": …"), so a caller's answer says what went wrong downstream. */
function reasonIn(body: string): string {
  try {
    const { error } = JSON.parse(body) as { error?: unknown };
    return typeof error === "string" ? `: ${error}` : "";
  } catch {
    return "";
  }
}
