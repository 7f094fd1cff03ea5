import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { scenarioByName } from "../chaos/catalogue.ts";
import { isRoleName } from "../roles.ts";
import { CHAPTERS, list } from "./lab.ts";
import { LANGS, pickLang } from "./model.ts";

const DOCS = join(import.meta.dir, "../../docs/tutorial");

describe("the lab walks the tutorial's chapters", () => {
  test("one lab chapter per tutorial chapter, in order, in every language", () => {
    for (const lang of LANGS) {
      const files = readdirSync(join(DOCS, lang))
        .filter((f) => f.endsWith(".md"))
        .sort();
      expect(CHAPTERS.map((c) => `${c.slug}.md`)).toEqual(files);
    }
  });

  test("every step says what to do and how, in English and Traditional Chinese", () => {
    for (const c of CHAPTERS) {
      expect(c.steps.length).toBeGreaterThan(0);
      for (const text of [c.title, ...c.steps.flatMap((s) => [s.task, s.hint])]) {
        expect(text.en.length).toBeGreaterThan(0);
        expect(text["zh-TW"]).toMatch(/[\u4e00-\u9fff]|o11y-lab/);
      }
    }
  });

  test("the checks name scenarios and roles that exist", () => {
    for (const spec of CHAPTERS.flatMap((c) => c.steps.flatMap((s) => s.checks))) {
      if ("scenario" in spec) expect(scenarioByName(spec.scenario)?.name).toBe(spec.scenario);
      if ("role" in spec) expect(isRoleName(spec.role)).toBe(true);
    }
  });

  test("lab list marks the done chapters and the current one", () => {
    const lines = list(["01-introduction#0"], "04-grafana-tour", "en");
    expect(lines[0]).toBe("✓ 01-introduction  What this lab is");
    expect(lines[3]).toStartWith("▶ 04-grafana-tour");
    expect(lines[1]).toEndWith("(needs the lab in Docker)");
    expect(existsSync(join(DOCS, "en", "01-introduction.md"))).toBe(true);
  });
});

describe("the language", () => {
  test("--lang wins, then LANG/LC_ALL; Traditional Chinese from zh_TW or zh-Hant", () => {
    expect(pickLang("zh-tw", { LANG: "en_US.UTF-8" })).toBe("zh-TW");
    expect(pickLang(undefined, { LANG: "zh_TW.UTF-8" })).toBe("zh-TW");
    expect(pickLang(undefined, { LC_ALL: "zh-Hant", LANG: "en_US" })).toBe("zh-TW");
    expect(pickLang(undefined, { LANG: "de_DE.UTF-8" })).toBe("en");
    expect(() => pickLang("fr")).toThrow("--lang fr: use one of en, zh-TW");
  });
});
