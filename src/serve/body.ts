import { HttpError } from "../errors.ts";

/**
 * The request body limit of every role, checked from Content-Length before a byte is read (a JSON 413 naming
 * the body). The largest legitimate body is a 10,000 character /enqueue message.
 */
export const MAX_BODY_BYTES = 64 * 1024;
/** Bun's own ceiling (Bun.serve's maxRequestBodySize): past it Bun answers a bare 413 without calling us. */
export const BODY_CEILING_BYTES = 1024 * 1024;
/** No body of the lab nests deeper than 2; a `[[[…]]]` bomb is refused before JSON.parse sees it. */
export const MAX_JSON_DEPTH = 16;

/** True when the JSON text nests arrays/objects deeper than `max` (brackets inside strings do not count). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Every role's body parser (an Elysia parse hook): size from Content-Length first, then the content type,
 * then the depth, and only then JSON.parse. `__proto__` keys are refused rather than merged into objects.
 */
export async function parseJsonBody({ request }: { request: Request }): Promise<unknown> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) throw tooLarge();
  const text = await request.text();
  if (text === "") return null;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw tooLarge();
  if (!JSON_TYPE.test(request.headers.get("content-type") ?? "")) {
    throw new HttpError(415, "content-type: must be application/json", { field: "content-type" });
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw HttpError.badRequest("body", `body: nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text, refuseProto);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw HttpError.badRequest("body", "body: not valid JSON");
  }
}

function refuseProto(key: string, value: unknown): unknown {
  if (key === "__proto__") throw HttpError.badRequest("__proto__", "__proto__: is not allowed");
  return value;
}

function tooLarge(): HttpError {
  return new HttpError(413, `body: larger than ${MAX_BODY_BYTES} bytes`, { field: "body" });
}
