/**
 * The provisioned dashboards and data sources as files for grafana-typecheck.ts: which part of each must satisfy
 * which of Grafana's types (_grafana-types.ts from @grafana/schema, _grafana-datasources.ts from the docs).
 */
import { join } from "node:path";
import type { Dashboard, Panel } from "./dashboard-queries.ts";
import type { CheckedFile, JsonPath } from "./grafana-typecheck.ts";

const TYPES = join(import.meta.dir, "_grafana-types.ts");
const DATASOURCE_TYPES = join(import.meta.dir, "_grafana-datasources.ts");

/** A provisioned data source as a dashboard may reference it. */
export interface Provisioned {
  readonly type: string;
  readonly uid: string;
  readonly isDefault?: boolean;
}

/** `{ type, uid }` of every provisioned data source, as a TypeScript union. */
const refUnion = (ds: readonly Provisioned[]) =>
  ds.map((d) => `{ type: ${JSON.stringify(d.type)}; uid: ${JSON.stringify(d.uid)} }`).join(" | ") || "never";

/** The path of the panel a path lies in (`panels[i]`, or `panels[i].panels[j]` inside a row), if any. */
function panelPath(path: JsonPath): JsonPath | undefined {
  const nested = path[2] === "panels" && typeof path[3] === "number";
  const n = nested ? 4 : 2;
  return path[0] === "panels" && typeof path[1] === "number" && path.length >= n ? path.slice(0, n) : undefined;
}

function at(value: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value);
}

const isPanelPath = (path: JsonPath) => panelPath(path)?.length === path.length;

/** A dashboard, checked panel by panel, target by target, against Grafana 12.3's schema. */
export function dashboardFile(name: string, dashboard: Dashboard, datasources: readonly Provisioned[]): CheckedFile {
  const fallback = datasources.find((d) => d.isDefault)?.type ?? "(no default data source)";
  return {
    name,
    value: dashboard,
    preamble: `import type * as G from ${JSON.stringify(TYPES)};\ntype P = ${refUnion(datasources)};`,
    typeAt(path, value) {
      if (path.length === 0) return "G.Dashboard<P>";
      if (isPanelPath(path)) {
        const type = (value as Panel).type;
        return type === "row" ? "G.Row<P>" : `G.Panel<${JSON.stringify(type)}, P>`;
      }
      const p = panelPath(path);
      if (p && path.length === p.length + 2 && path[p.length] === "targets") {
        const panel = at(dashboard, p) as Panel;
        const target = value as { datasource?: { type?: string } };
        // A target without a data source uses its panel's, and a panel without one the default data source.
        const type = target.datasource?.type ?? panel.datasource?.type ?? fallback;
        return `G.Query<${JSON.stringify(type)}, P>`;
      }
      return undefined;
    },
    describe(path) {
      const p = panelPath(path);
      if (p) return `panel "${(at(dashboard, p) as Panel).title ?? "(untitled)"}"`;
      if (path[0] === "templating") return `variable $${(at(dashboard, path.slice(0, 3)) as { name?: string })?.name}`;
      return `dashboard "${dashboard.title}"`;
    },
  };
}

/** The data sources provisioning file, checked against the documented keys of each data source type. */
export function datasourcesFile(name: string, file: unknown): CheckedFile {
  const list = (file as { datasources?: Array<{ name?: string; type?: string; uid?: string }> }).datasources ?? [];
  return {
    name,
    value: file,
    preamble: `import type * as D from ${JSON.stringify(DATASOURCE_TYPES)};\ntype U = ${JSON.stringify(list.map((d) => d.uid ?? ""))}[number];`,
    typeAt(path, value) {
      if (path.length === 0) return "D.DatasourcesFile";
      if (path.length === 2 && path[0] === "datasources")
        return `D.Datasource<${JSON.stringify((value as { type?: string }).type ?? "")}, U>`;
      return undefined;
    },
    describe(path) {
      const d = path[0] === "datasources" && typeof path[1] === "number" ? list[path[1]] : undefined;
      return d ? `data source "${d.name}"` : "file";
    },
  };
}
