import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { ROLES } from "./roles.ts";

/** The lesson depends on it: auto roles get telemetry only from `serve`, never from their own code. */
describe("instrumentation boundaries", () => {
  for (const role of ROLES) {
    const files = [...new Glob("*.ts").scanSync(`services/${role.name}`)];
    test(`${role.name} (${role.instrumentation}) has its folder`, () => {
      expect(files).toEqual(expect.arrayContaining(["app.ts", "model.ts", "service.ts"]));
    });
    if (role.instrumentation !== "auto") continue;
    test(`${role.name} imports nothing from @opentelemetry/*`, async () => {
      for (const file of files) {
        const source = await Bun.file(`services/${role.name}/${file}`).text();
        const imports = new Bun.Transpiler({ loader: "ts" }).scanImports(source).map((i) => i.path);
        expect({ file, otel: imports.filter((p) => p.startsWith("@opentelemetry/")) }).toEqual({ file, otel: [] });
      }
    });
  }
});
