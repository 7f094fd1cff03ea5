/**
 * The docs, checked without any service: both languages have the same pages with the same commands and queries,
 * every `o11y-lab …` line is a command the CLI accepts, every query parses with its language's grammar, every
 * fault a query waits for is a chaos scenario, and the README's first screen links the tutorial in both languages. The queries run against the real telemetry in test/e2e/docs.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PUMBA_IMAGE, STRESS_IMAGE, scenarioByName, TC_IMAGE } from "../src/chaos/catalogue.ts";
import { main } from "../src/index.ts";
import { isK6TestName } from "../src/k6/catalog.ts";
import { constantLoad, K6_IMAGE } from "../src/k6/run.ts";
import { ROLE_NAMES } from "../src/roles.ts";
import { STACK_FILES } from "../src/stack/assets.ts";
import { stackServices } from "../src/stack/compose.ts";
import { checkLogQL } from "../src/stack/logql-check.ts";
import { lokiEntry, type OtlpLogView } from "../src/stack/loki-otlp.ts";
import { type QueryLanguage, syntaxErrors } from "../src/stack/query-syntax.ts";
import fixture from "./fixtures/exported-logs.json";
import { blocks, commandLines, commandProblem, DOCS, pages, REPO, TRANSLATION_DIRS } from "./support/docs.ts";

const QUERY_LANGUAGES: QueryLanguage[] = ["promql", "logql", "traceql"];
const all = pages();
const queries = all.flatMap(blocks).filter((b) => (QUERY_LANGUAGES as string[]).includes(b.lang));

/** Each English page and its Traditional Chinese counterpart. */
const pairs = TRANSLATION_DIRS.flatMap(([en, zh]) =>
  pages(join(DOCS, en))
    .filter((p) => en !== "" || !p.includes("/"))
    .map((p) => [p, join(zh, en === "" ? p : p.slice(en.length + 1))] as const),
);

describe("both languages", () => {
  test("the tutorial has its chapters, and every page has a zh-TW twin and nothing else", () => {
    const chapters = pages(join(DOCS, "tutorial/en"));
    expect(chapters.length).toBeGreaterThanOrEqual(14);
    for (const page of ["queries.md", "from-the-codelab.md", "troubleshooting.md"]) expect(all).toContain(page);
    expect(all.sort()).toEqual(pairs.flat().sort());
  });

  for (const [en, zh] of pairs) {
    test(`${zh} has the commands and queries of ${en}, in the same order`, () => {
      const same = (page: string) => ({
        commands: commandLines(page),
        queries: blocks(page)
          .filter((b) => (QUERY_LANGUAGES as string[]).includes(b.lang))
          .map((b) => ({ lang: b.lang, flags: b.flags, text: b.text })),
      });
      expect(same(zh)).toEqual(same(en));
    });
  }
});

/** The parts every chapter has, as each language titles them. */
const CHAPTER_PARTS: Record<string, readonly RegExp[]> = {
  "tutorial/en": [
    /^\*\*Duration:\*\* \d+ min/m,
    /^## What you will do$/m,
    /^## Commands/m,
    /^## Expected output$/m,
    /^## What to look for$/m,
    /^## Checkpoint$/m,
    /^## If you see nothing$/m,
    /^## Recap$/m,
    /^Questions: /m,
  ],
  "tutorial/zh-TW": [
    /^\*\*時間：\*\* \d+ 分鐘/m,
    /^## 你將做什麼$/m,
    /^## 指令/m,
    /^## 預期輸出$/m,
    /^## 觀察重點$/m,
    /^## 檢查點$/m,
    /^## 如果什麼都沒看到$/m,
    /^## 重點回顧$/m,
    /^問題：/m,
  ],
};

describe("every chapter has its parts: duration, goal, commands, expected output, what to look for, checkpoint, if you see nothing, recap with questions", () => {
  for (const [dir, parts] of Object.entries(CHAPTER_PARTS)) {
    for (const page of pages(join(DOCS, dir))) {
      test(page, () => {
        const text = readFileSync(join(DOCS, page), "utf8");
        expect(parts.filter((part) => !part.test(text)).map(String)).toEqual([]);
      });
    }
  }
});

test("the zh-TW pages use the codelab's own terms (可觀測性, 埋點, 混沌工程), not other translations", () => {
  const zh = all.filter((p) => p.includes("zh-TW")).map((p) => readFileSync(join(DOCS, p), "utf8"));
  const text = zh.join("\n");
  for (const term of ["可觀測性", "埋點", "混沌工程", "自動埋點", "手動埋點"]) expect(text).toContain(term);
  for (const other of ["可觀察性", "插樁", "儀器化"]) expect(text).not.toContain(other);
});

/** The values the CLI checks when it runs: k6's --vus/--duration, serve's role, logs' service. */
function valueProblem(line: string): string | undefined {
  const [, command, name, ...rest] = line.split(/\s+/);
  const flag = (f: string) => {
    const i = rest.indexOf(f);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (command === "k6" && name && isK6TestName(name)) {
    try {
      constantLoad(name, { vus: flag("--vus"), duration: flag("--duration") });
    } catch (error) {
      return (error as Error).message;
    }
  }
  if (command === "serve" && name && name !== "--help" && ![...ROLE_NAMES, "all"].includes(name))
    return `no role ${name}`;
  if (command === "logs" && name && !name.startsWith("-") && !stackServices().has(name)) return `no service ${name}`;
  return undefined;
}

describe("every o11y-lab command line is one the CLI accepts", () => {
  const lines = [...new Set(all.flatMap(commandLines))];
  test("the docs have commands", () => expect(lines.length).toBeGreaterThan(30));
  for (const line of lines) {
    test(line, async () => {
      expect(await commandProblem(main, line)).toBeUndefined();
      expect(valueProblem(line)).toBeUndefined();
    });
  }
  test("the checker refuses what the CLI refuses", async () => {
    for (const bad of [
      "o11y-lab chaos",
      "o11y-lab chaos meteor-strike",
      "o11y-lab k6 load --vsu 20",
      "o11y-lab k6 load --duration",
      "o11y-lab serve",
      "o11y-lab down extra",
    ]) {
      expect(await commandProblem(main, bad)).toBeString();
    }
    for (const bad of [
      "o11y-lab k6 load --vus 0",
      "o11y-lab k6 spike --duration 5",
      "o11y-lab serve service-z",
      "o11y-lab logs grafanaa",
    ]) {
      expect(valueProblem(bad)).toBeString();
    }
  });
});

describe("every query block parses with its language's grammar", () => {
  test("the docs have queries of all three languages", () => {
    for (const lang of QUERY_LANGUAGES) expect(queries.some((q) => q.lang === lang)).toBe(true);
  });
  for (const q of queries) {
    test(`${q.page}:${q.line} ${q.lang}`, () => {
      expect(syntaxErrors(q.lang as QueryLanguage, q.text)).toEqual([]);
      if (q.flags.fault) expect(scenarioByName(q.flags.fault)?.name).toBe(q.flags.fault);
    });
  }
});

describe("every LogQL block selects log records the collector really exported (the e2e suite's fixture, as Loki stores them)", () => {
  const records = fixture as OtlpLogView[];
  const entries = records.map(lokiEntry);
  const traceId = records.find((r) => r.record.traceId)?.record.traceId ?? "";
  for (const q of queries.filter((b) => b.lang === "logql")) {
    test(`${q.page}:${q.line}`, () => {
      const problems = checkLogQL(q.text.replace(/\b[0-9a-f]{32}\b/g, traceId), entries).problems;
      // A block shown under a fault may select nothing at rest; the labels it names must still exist.
      expect(q.flags.fault ? problems.filter((p) => !p.startsWith("selects none")) : problems).toEqual([]);
    });
  }
});

test("every pinned image the docs name has the tag the lab really pins", () => {
  const composeImages = [...STACK_FILES]
    .filter(([path]) => /^compose.*\.yaml$/.test(path))
    .flatMap(([, text]) => [...text.matchAll(/^\s*image: ([a-z0-9./-]+:[\w.-]+)$/gm)].map((m) => m[1] ?? ""));
  const pinned = new Map(
    [...composeImages, PUMBA_IMAGE, TC_IMAGE, STRESS_IMAGE, K6_IMAGE].map((ref) => [
      ref.slice(0, ref.lastIndexOf(":")),
      ref.slice(ref.lastIndexOf(":") + 1),
    ]),
  );
  expect(pinned.size).toBeGreaterThan(8);
  const named = all.flatMap((page) => {
    const text = readFileSync(join(DOCS, page), "utf8");
    return [...pinned].flatMap(([repo, tag]) =>
      [...text.matchAll(new RegExp(`(?<![\\w/.-])${repo.replaceAll(".", "\\.")}:([\\w.-]*\\w)`, "g"))].map((m) => ({
        ref: `${page}: ${m[0]}`,
        pinned: m[1] === tag ? "yes" : `no, the lab pins ${repo}:${tag}`,
      })),
    );
  });
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter((n) => n.pinned !== "yes")).toEqual([]);
});

test("every relative link of the docs points at a file that exists", () => {
  const broken = all.flatMap((page) =>
    [...readFileSync(join(DOCS, page), "utf8").matchAll(/\]\(([^)#\s]+\.md)(#[^)]*)?\)/g)]
      .map((m) => m[1] ?? "")
      .filter((target) => !/^[a-z]+:/.test(target) && !existsSync(join(DOCS, dirname(page), target)))
      .map((target) => `${page} → ${target}`),
  );
  expect(broken).toEqual([]);
});

test("README's first screen links the tutorial in both languages", () => {
  const firstScreen = readFileSync(join(REPO, "README.md"), "utf8").split("\n").slice(0, 25).join("\n");
  for (const dir of ["docs/tutorial/en/", "docs/tutorial/zh-TW/"]) {
    const link = new RegExp(`\\]\\((${dir.replaceAll("/", "\\/")}[^)]+)\\)`).exec(firstScreen)?.[1];
    expect(link && existsSync(join(REPO, link)) ? dir : `no link to an existing page in ${dir}`).toBe(dir);
  }
});
