/** An error meant for a person: its message says what went wrong, its hint says what to do about it. */
export class LabError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "LabError";
  }
}

/** The one place where an error becomes the line a CLI user sees. */
export function formatError(error: unknown): string {
  const plain = (text: string) => text.replace(ANSI, "");
  if (error instanceof LabError) return plain(error.hint ? `${error.message} — ${error.hint}` : error.message);
  if (error instanceof Error) return plain(error.message);
  return plain(String(error));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal colour codes is the point.
const ANSI = /\u001b\[[0-9;]*m/g;

/** What a dependency failure means to the caller: failed → 502, refused or down → 503, too slow → 504. */
export type Failure = "failed" | "unavailable" | "timeout";
const FAILURE_STATUS: Record<Failure, number> = { failed: 502, unavailable: 503, timeout: 504 };

/** An error a service answers with: its status and a JSON body naming the field or dependency at fault. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { field?: string; dependency?: string } = {},
  ) {
    super(message);
    this.name = "HttpError";
  }

  /** 400: the request itself is wrong; `field` names what to fix. */
  static badRequest(field: string, message: string): HttpError {
    return new HttpError(400, message, { field });
  }

  /** 502/503/504: a dependency let us down; `dependency` names which. */
  static dependency(dependency: string, failure: Failure, message: string): HttpError {
    return new HttpError(FAILURE_STATUS[failure], message, { dependency });
  }
}
