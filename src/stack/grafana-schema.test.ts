/**
 * The provisioned dashboards and data sources against Grafana 12.3's published types (see grafana-typecheck.ts),
 * and each link the data sources make against the e2e test that runs it. One compiler run checks the real files and
 * deliberately broken copies, which must fail at the right dashboard, panel and path.
 */
import { describe, expect, test } from "bun:test";
import schemaPackage from "@grafana/schema/package.json" with { type: "json" };
import { stackFile } from "./assets.ts";
import {
  allPanels,
  DATASOURCES,
  type Dashboard,
  dashboards,
  datasources,
  LINKS,
  linkKeys,
  type Panel,
  UNRUN_LINKS,
} from "./dashboard-queries.ts";
import { dashboardFile, datasourcesFile } from "./grafana-schema.ts";
import { type CheckedFile, type JsonPath, type Problem, showProblem, typecheck } from "./grafana-typecheck.ts";

const provisioned = datasources();
const rawDatasources: unknown = Bun.YAML.parse(stackFile(DATASOURCES));

/** A copy of `value` with `edits` made: each sets the value at a path, or deletes it (`undefined`). */
function edited<T>(value: T, edits: Array<[JsonPath, unknown]>): T {
  const copy = structuredClone(value);
  for (const [path, v] of edits) {
    const parent = path
      .slice(0, -1)
      .reduce<Record<string | number, unknown>>((o, k) => o[k] as typeof o, copy as never);
    const key = path.at(-1) as string | number;
    if (v === undefined) delete parent[key];
    else parent[key] = v;
  }
  return copy;
}

const overview = dashboards().get("overview.json") as Dashboard;
/** The first panel of Overview matching `match`: its index in `panels` and its title. */
const find = (match: (p: Panel) => boolean) => {
  const i = overview.panels.findIndex(match);
  if (i < 0) throw new Error("Overview: no such panel");
  return { i, title: overview.panels[i]?.title, panel: overview.panels[i] as Panel };
};
const prom = find((p) => p.type === "timeseries" && p.targets?.[0]?.datasource?.type === "prometheus");
const loki = find((p) => p.targets?.[0]?.datasource?.type === "loki");

const brokenDashboard = (name: string, edits: Array<[JsonPath, unknown]>) =>
  dashboardFile(name, edited(overview, edits), provisioned);
const brokenDatasources = (name: string, edits: Array<[JsonPath, unknown]>) =>
  datasourcesFile(name, edited(rawDatasources, edits));

const broken: CheckedFile[] = [
  brokenDashboard("misspelt option", [[["panels", prom.i, "options", "legend", "dispalyMode"], "table"]]),
  brokenDashboard("misspelt field config", [
    [["panels", prom.i, "fieldConfig", "defaults", "custom"], { lineWidht: 2 }],
  ]),
  // Tempo's field name on a Loki target
  brokenDashboard("wrong query shape", [
    [["panels", loki.i, "targets", 0, "query"], loki.panel.targets?.[0]?.expr],
    [["panels", loki.i, "targets", 0, "expr"], undefined],
  ]),
  brokenDashboard("unprovisioned uid", [[["panels", prom.i, "targets", 0, "datasource", "uid"], "prometheus-old"]]),
  brokenDashboard("removed panel type", [[["panels", prom.i, "type"], "graph"]]),
  brokenDashboard("variable of no such type", [[["templating", "list"], [{ name: "service", type: "querry" }]]]),
  brokenDashboard("annotation from no such data source", [
    [["annotations", "list", 0, "datasource", "uid"], "grafana"],
  ]),
  brokenDatasources("misspelt data source key", [
    [["datasources", 2, "jsonData", "tracesToLogsV2", "filterByTraceId"], true],
  ]),
  brokenDatasources("misplaced data source key", [[["datasources", 1, "jsonData", "tracesToMetrics"], {}]]),
  brokenDatasources("unprovisioned link target", [
    [["datasources", 0, "jsonData", "exemplarTraceIdDestinations", 0, "datasourceUid"], "jaeger"],
  ]),
];

const real = [
  ...[...dashboards()].map(([file, d]) => dashboardFile(file, d, provisioned)),
  datasourcesFile("datasources.yaml", rawDatasources),
];
const problems = typecheck([...real, ...broken]);
const of = (name: string) => problems.filter((p) => p.file === name);
/** A problem without the message, which names Grafana's types at length; `says` must be in the message. */
const at = (name: string, where: string, path: string, says: string) => {
  const found = of(name).map((p: Problem) => ({ ...p, message: p.message.includes(says) ? says : p.message }));
  return expect(found).toEqual([{ file: name, where, path, message: says }]);
};

describe("against Grafana 12.3's published schema", () => {
  test("@grafana/schema is the version compose runs Grafana at", () => {
    expect(stackFile("compose.yaml")).toContain(`image: grafana/grafana:${schemaPackage.version}\n`);
  });

  test("all four dashboards and the data sources pass, every panel and target checked", () => {
    expect(real.length).toBe(5);
    expect(problems.filter((p) => real.some((f) => f.name === p.file)).map(showProblem)).toEqual([]);
    const targets = [...dashboards().values()].flatMap(allPanels).flatMap((p) => p.targets ?? []);
    expect(targets.length).toBeGreaterThan(30);
  });

  test("a misspelt panel option fails at its dashboard, panel and path", () => {
    at(
      "misspelt option",
      `panel "${prom.title}"`,
      `panels[${prom.i}].options.legend.dispalyMode`,
      "'\"dispalyMode\"' does not exist",
    );
  });

  test("a misspelt field config option of the panel's plugin fails", () => {
    at(
      "misspelt field config",
      `panel "${prom.title}"`,
      `panels[${prom.i}].fieldConfig.defaults.custom.lineWidht`,
      "'\"lineWidht\"' does not exist",
    );
  });

  test("a target of the wrong shape for its data source fails", () => {
    at(
      "wrong query shape",
      `panel "${loki.title}"`,
      `panels[${loki.i}].targets[0].query`,
      `'"query"' does not exist in type 'Query<"loki", P>'`,
    );
  });

  test("a data source uid that is not provisioned fails", () => {
    at(
      "unprovisioned uid",
      `panel "${prom.title}"`,
      `panels[${prom.i}].targets[0].datasource.uid`,
      `Type '"prometheus-old"' is not assignable to type '"prometheus"'`,
    );
  });

  test("a panel type Grafana 12.3 has no schema for fails", () => {
    at(
      "removed panel type",
      `panel "${prom.title}"`,
      `panels[${prom.i}]`,
      `Type '"graph"' does not satisfy the constraint`,
    );
  });

  test("a template variable of an unknown type and an annotation from an unknown data source fail", () => {
    at(
      "variable of no such type",
      "variable $service",
      "templating.list[0].type",
      `Type '"querry"' is not assignable to type`,
    );
    at(
      "annotation from no such data source",
      `dashboard "${overview.title}"`,
      "annotations.list[0].datasource.uid",
      `Type '"grafana"' is not assignable to type '"-- Grafana --"'`,
    );
  });

  test("an unknown, a misplaced and a dangling data source key fail", () => {
    at(
      "misspelt data source key",
      'data source "Tempo"',
      "datasources[2].jsonData.tracesToLogsV2.filterByTraceId",
      "'\"filterByTraceId\"' does not exist",
    );
    at(
      "misplaced data source key",
      'data source "Loki"',
      "datasources[1].jsonData.tracesToMetrics",
      "'\"tracesToMetrics\"' does not exist",
    );
    at(
      "unprovisioned link target",
      'data source "Prometheus"',
      "datasources[0].jsonData.exemplarTraceIdDestinations[0].datasourceUid",
      `Type '"jaeger"' is not assignable`,
    );
  });
});

describe("every link the data sources make is run by the e2e suite, from dashboard-queries.ts", () => {
  test("the links in the file are exactly those listed with the test that runs them, or why none does", () => {
    expect(linkKeys().sort()).toEqual([...Object.keys(LINKS), ...Object.keys(UNRUN_LINKS)].sort());
  });

  for (const [key, { via, runBy }] of Object.entries(LINKS)) {
    test(`${key}: ${runBy} runs it through ${via}()`, async () => {
      const text = await Bun.file(`${import.meta.dir}/../../${runBy}`).text();
      const imports = /import \{([^}]*)\} from "\.\.\/\.\.\/src\/stack\/dashboard-queries\.ts"/.exec(text)?.[1] ?? "";
      expect(imports.split(",").map((s) => s.trim())).toContain(via);
      expect(text).toMatch(new RegExp(`\\b${via}\\(\\)`));
    });
  }
});
