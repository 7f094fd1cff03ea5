/**
 * The lab as one JavaScript file, for hosts where the compiled binary cannot run in the service containers
 * (macOS, Windows, or running from source): the official Bun image runs it. It is built from the same entry point,
 * options and version as the binaries, and each binary embeds the bundle built with it, so the containers run the
 * very code of the o11y-lab that started them.
 */
import { join } from "node:path";
import type { BuildConfig, BunPlugin } from "bun";

/** The bundle's name in dist/ and in the state directory's stack/ (compose.bundle.yaml mounts it). */
export const BUNDLE_FILE = "o11y-lab.js";

const ENTRY = join(import.meta.dir, "../index.ts");

/** What every build of the lab shares: entry point, minification and the injected version. */
export function labBuild(version: string) {
  return {
    entrypoints: [ENTRY],
    // Span and metric names come from identifiers in places: never minify them away.
    minify: { whitespace: true, syntax: true, identifiers: false },
    define: { O11Y_LAB_VERSION: JSON.stringify(version) },
  } satisfies Partial<BuildConfig>;
}

/**
 * Defines the module `o11y-lab:bundle`: the embedded bundle's path in a binary (an import `with { type: "file" }`
 * embeds the file), undefined in the bundle itself, which cannot contain itself. Running from source, nothing
 * defines it.
 */
export function bundleModule(path: string | undefined): BunPlugin {
  return {
    name: "o11y-lab-bundle",
    setup(build) {
      build.onResolve({ filter: /^o11y-lab:bundle$/ }, () => ({ path: "bundle", namespace: "o11y-lab" }));
      build.onLoad({ filter: /.*/, namespace: "o11y-lab" }, () => ({
        loader: "js",
        contents: path
          ? `import path from ${JSON.stringify(path)} with { type: "file" };\nexport default path;\n`
          : "export default undefined;\n",
      }));
    },
  };
}

/** Builds the bundle: one file that starts with the entry's `#!/usr/bin/env bun`, so the image can run it as is. */
export async function buildBundle(version: string): Promise<string> {
  const result = await Bun.build({ ...labBuild(version), target: "bun", plugins: [bundleModule(undefined)] });
  const [output, ...more] = result.outputs;
  if (!output || more.length) throw new Error(`the bundle build made ${result.outputs.length} files, not one`);
  return output.text();
}
