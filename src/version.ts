declare const O11Y_LAB_VERSION: string | undefined;

/** The product version: injected by build.ts, read from package.json when run from source. */
export const VERSION: string =
  typeof O11Y_LAB_VERSION === "string" ? O11Y_LAB_VERSION : (await import("../package.json")).version;
