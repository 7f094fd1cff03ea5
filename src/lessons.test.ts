import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { Glob } from "bun";
import { ROLES } from "./roles.ts";
import { readConfig } from "./serve/config.ts";
import { assemble } from "./serve/wiring.ts";
import { instrumentServer } from "./telemetry/http-server.ts";
import { createLog } from "./telemetry/logger.ts";

/** The rows of the README's table of roles, cell by cell, keyed by role. */
async function readmeTable(): Promise<Map<string, Record<string, string | undefined>>> {
  const lines = (await Bun.file("README.md").text()).split("\n");
  const start = lines.findIndex((l) => l.startsWith("| role ") && l.includes("| style"));
  const rows: string[][] = [];
  for (let i = start; lines[i]?.startsWith("|"); i++) {
    rows.push(
      (lines[i] as string)
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  const [header = [], , ...body] = rows;
  return new Map(body.map((cells) => [cells[0] as string, Object.fromEntries(header.map((h, i) => [h, cells[i]]))]));
}

/** What the code says about a role, in the README table's words. */
async function whatTheCodeSays(name: (typeof ROLES)[number]["name"]) {
  const source = await Bun.file(`services/${name}/service.ts`).text();
  const model = await import(`../services/${name}/model.ts`);
  const { instrument } = assemble(
    name,
    readConfig(name, {}),
    createLog(name, () => {}),
  );
  const handWritten = source.includes('from "@opentelemetry/api"') && /meter\.create/.test(source);
  return {
    "SERVER span": instrument === instrumentServer ? "`serve`" : "its own code",
    "trace context": source.includes("propagation.inject(")
      ? "by hand: injected into Kafka headers"
      : source.includes("propagation.extract(")
        ? "by hand: extracted from Kafka headers"
        : "`serve`",
    "business telemetry":
      "METRICS" in model && !source.includes("@opentelemetry/")
        ? "declared as data, created by `serve`"
        : handWritten && /tracer\.start/.test(source)
          ? "its own spans and metrics, through the API"
          : "(none)",
  };
}

describe("the lessons", () => {
  test("the README's table of roles says what the code does, for every role", async () => {
    const table = await readmeTable();
    expect([...table.keys()].sort()).toEqual(ROLES.map((r) => r.name).sort());
    for (const role of ROLES) {
      const row = table.get(role.name) ?? {};
      expect({ role: role.name, style: row.style }).toEqual({ role: role.name, style: role.instrumentation });
      expect<Record<string, unknown>>({ role: role.name, ...(await whatTheCodeSays(role.name)) }).toEqual({
        role: role.name,
        "SERVER span": row["SERVER span"],
        "trace context": row["trace context"],
        "business telemetry": row["business telemetry"],
      });
      expect(existsSync(String(row.read).replace(/`/g, ""))).toBe(true);
    }
  });

  test("services/README.md quotes each style's code as it is in the file it names", async () => {
    const page = await Bun.file("services/README.md").text();
    const quotes = [...page.matchAll(/<!-- from: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)];
    expect(quotes.length).toBeGreaterThanOrEqual(10);
    // Indentation aside (the formatter re-indents code blocks), the quoted lines follow each other in the file.
    const trimmed = (text: string) => text.split("\n").map((line) => line.trim());
    for (const [, path, code] of quotes) {
      const file = trimmed(await Bun.file(String(path)).text()).join("\n");
      expect({ path, code, quoted: file.includes(trimmed(String(code)).join("\n")) }).toEqual({
        path,
        code,
        quoted: true,
      });
    }
  });

  test("every panel charting a business metric that shadows a conventions' one names that one in its description", async () => {
    const page = await Bun.file("services/README.md").text();
    const pairs = [...page.matchAll(/^\| `(\w+)` +\| `(\w+)` +\|/gm)].map(([, own, theirs]) => ({
      own: String(own),
      theirs: String(theirs).replace(/_count$/, ""),
    }));
    expect(pairs.length).toBeGreaterThanOrEqual(10);
    interface Panel {
      title?: string;
      description?: string;
      targets?: { expr?: string }[];
      panels?: Panel[];
    }
    const checked: string[] = [];
    for (const file of new Glob("stack/grafana/provisioning/dashboards/**/*.json").scanSync()) {
      const panels = ((await Bun.file(file).json()) as Panel).panels ?? [];
      for (const panel of panels.flatMap((p) => [p, ...(p.panels ?? [])])) {
        const exprs = (panel.targets ?? []).map((t) => t.expr ?? "").join("\n");
        for (const { own, theirs } of pairs.filter((p) => exprs.includes(p.own))) {
          checked.push(own);
          expect({ panel: panel.title, own, names: (panel.description ?? "").includes(theirs) }).toEqual({
            panel: panel.title,
            own,
            names: true,
          });
        }
      }
    }
    expect(new Set(checked).size).toBe(pairs.length);
  });
});
