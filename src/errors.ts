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
  if (error instanceof LabError) return error.hint ? `${error.message} — ${error.hint}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
