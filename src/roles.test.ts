import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { ROLES } from "./roles.ts";

async function importsOf(path: string): Promise<string[]> {
  const source = await Bun.file(path).text();
  return new Bun.Transpiler({ loader: "ts" }).scanImports(source).map((i) => i.path);
}

/** The lessons depend on it: where each role's telemetry comes from is what its folder imports. */
describe("instrumentation boundaries", () => {
  for (const role of ROLES) {
    const files = [...new Glob("*.ts").scanSync(`services/${role.name}`)].filter((f) => !f.endsWith(".test.ts"));
    test(`${role.name} (${role.instrumentation}) has its folder`, () => {
      expect(files).toEqual(expect.arrayContaining(["app.ts", "model.ts", "service.ts"]));
    });
    if (role.instrumentation === "auto") {
      test(`${role.name} imports nothing from @opentelemetry/*`, async () => {
        for (const file of files) {
          const imports = await importsOf(`services/${role.name}/${file}`);
          expect({ file, otel: imports.filter((p) => p.startsWith("@opentelemetry/")) }).toEqual({ file, otel: [] });
        }
      });
      continue;
    }
    // Hybrid and manual roles write telemetry themselves, with the API (and the conventions' names) only:
    // never the SDK, never the composition root's wrappers.
    test(`${role.name} uses only @opentelemetry/api and the conventions' names, nothing of the wrappers`, async () => {
      const paths = files.map((f) => `services/${role.name}/${f}`);
      if (role.instrumentation === "manual") paths.push(...new Glob("services/_manual/*.ts").scanSync());
      for (const path of paths) {
        const imports = await importsOf(path);
        const allowed = (p: string) =>
          !p.startsWith("@opentelemetry/") ||
          p === "@opentelemetry/api" ||
          p.startsWith("@opentelemetry/semantic-conventions");
        expect({ path, wrong: imports.filter((p) => !allowed(p) || /src\/(telemetry|serve)\//.test(p)) }).toEqual({
          path,
          wrong: [],
        });
      }
    });
  }
});
