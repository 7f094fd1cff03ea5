/**
 * The docs/ tree as tests read it: every Markdown page, its fenced blocks (language and the words after it), and
 * the `o11y-lab …` command lines of its shell blocks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { ArgsDef, CommandDef } from "citty";
import { resolveSubCommand } from "../../src/commands/_usage.ts";

export const REPO = join(import.meta.dir, "..", "..");
export const DOCS = join(REPO, "docs");
/** The two languages of every docs page: English at docs/, Traditional Chinese at docs/zh-TW/. */
export const TRANSLATION_DIRS = [
  ["tutorial/en", "tutorial/zh-TW"],
  ["", "zh-TW"],
] as const;

export interface Block {
  readonly page: string;
  readonly line: number;
  /** The fence's first word: promql, logql, traceql, sh, text… */
  readonly lang: string;
  /** `key=value` words after the language, e.g. `fault=delay-service-b`. */
  readonly flags: Readonly<Record<string, string>>;
  readonly text: string;
}

/** Every .md file under docs/, as paths relative to docs/. */
export function pages(dir = DOCS): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((p) => p.endsWith(".md"))
    .map((p) => relative(DOCS, join(dir, p)))
    .sort();
}

export function blocks(page: string): Block[] {
  const lines = readFileSync(join(DOCS, page), "utf8").split("\n");
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)(.*)$/.exec(lines[i] ?? "");
    if (!open) continue;
    const indent = open[1] ?? "";
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] ?? ""); j++)
      body.push((lines[j] ?? "").slice(indent.length));
    const words = (open[3] ?? "").trim().split(/\s+/).filter(Boolean);
    const flags = Object.fromEntries(words.map((w) => [w.split("=")[0] ?? w, w.split("=")[1] ?? "true"]));
    found.push({ page, line: i + 1, lang: open[2] ?? "", flags, text: body.join("\n") });
    i = j;
  }
  return found;
}

const SHELL = new Set(["sh", "bash", "console", "shell"]);

/** The `o11y-lab …` command lines of a page's shell blocks, prompt and trailing comment removed. */
export function commandLines(page: string): string[] {
  return blocks(page)
    .filter((b) => SHELL.has(b.lang))
    .flatMap((b) => b.text.split("\n"))
    .map((line) =>
      line
        .replace(/^\$\s+/, "")
        .replace(/\s+#.*$/, "")
        .trim(),
    )
    .filter((line) => /^o11y-lab(\s|$)/.test(line));
}

async function resolve<T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

/**
 * What is wrong with a command line by the CLI's own citty definitions: an unknown command, a command that only
 * groups others, an unknown flag, a missing flag value, a missing or extra positional. Undefined when valid.
 */
export async function commandProblem(root: CommandDef, line: string): Promise<string | undefined> {
  const words = line.split(/\s+/).slice(1);
  const { command, path } = await resolveSubCommand(root, words);
  const rest = words.slice(path.length);
  if (rest.includes("--help") || rest.includes("-h")) return undefined;
  if (!command.run) return `"${["o11y-lab", ...path].join(" ")}" needs a subcommand, got "${rest[0] ?? ""}"`;
  const args: ArgsDef = command.args ? await resolve(command.args) : {};
  const named = Object.entries(args).filter(([, a]) => a.type !== "positional");
  const positional = Object.entries(args).filter(([, a]) => a.type === "positional");
  const given: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] ?? "";
    if (!word.startsWith("-")) {
      given.push(word);
      continue;
    }
    const name = word.replace(/^--?/, "").split("=")[0] ?? "";
    const def = named.find(([key, a]) => {
      const alias = "alias" in a ? a.alias : undefined;
      return key === name || key === name.replace(/^no-/, "") || [alias].flat().includes(name);
    });
    if (!def) return `unknown flag ${word} for "${["o11y-lab", ...path].join(" ")}"`;
    if (def[1].type === "string" && !word.includes("=")) {
      if (rest[i + 1] === undefined || rest[i + 1]?.startsWith("-")) return `${word} needs a value`;
      i++;
    }
  }
  const required = positional.filter(([, a]) => a.required !== false).length;
  if (given.length < required) return `"${line}" misses ${positional.map(([k]) => k).join(", ")}`;
  if (given.length > positional.length) return `"${line}" has extra words: ${given.slice(positional.length).join(" ")}`;
  return undefined;
}
