/**
 * `o11y-lab lab`: the tutorial's chapters as steps a learner checks against the live lab. Progress (the current step
 * and the steps done) is kept in the state dir; every line comes in English and Traditional Chinese.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import chapters from "../../docs/tutorial/lab.json";
import { LabError } from "../errors.ts";
import { stateDir } from "../stack/state.ts";
import { type Backends, runCheck, verdictLine } from "../verdict/check.ts";
import { labCheck } from "./checks.ts";
import type { LabChapter, LabStep, Lang } from "./model.ts";

export const CHAPTERS = chapters as readonly LabChapter[];

interface Progress {
  chapter: string;
  step: number;
  /** "<slug>#<step>" of every step checked */
  done: string[];
}

const progressPath = (env: NodeJS.ProcessEnv) => join(stateDir(env), "lab", "progress.json");

async function load(env: NodeJS.ProcessEnv): Promise<Progress | undefined> {
  const text = await readFile(progressPath(env), "utf8").catch(() => undefined);
  return text ? (JSON.parse(text) as Progress) : undefined;
}

async function save(progress: Progress, env: NodeJS.ProcessEnv): Promise<void> {
  await mkdir(dirname(progressPath(env)), { recursive: true });
  await writeFile(progressPath(env), `${JSON.stringify(progress, null, 2)}\n`);
}

const T = {
  notStarted: { en: "no chapter started", "zh-TW": "尚未開始任何章節" },
  startHint: { en: "o11y-lab lab start 01-introduction", "zh-TW": "o11y-lab lab start 01-introduction" },
  step: { en: "step", "zh-TW": "步驟" },
  read: { en: "read", "zh-TW": "閱讀" },
  passed: { en: "step done — o11y-lab lab next", "zh-TW": "本步驟完成 — o11y-lab lab next" },
  notYet: { en: "not yet", "zh-TW": "尚未完成" },
  checkFirst: { en: "this step is not checked yet", "zh-TW": "本步驟尚未通過檢查" },
  allDone: { en: "every chapter done", "zh-TW": "所有章節都完成了" },
  reset: { en: "progress cleared", "zh-TW": "進度已清除" },
  unknown: { en: "no chapter", "zh-TW": "沒有這個章節" },
  docker: { en: "needs the lab in Docker", "zh-TW": "需要在 Docker 中執行的實驗室" },
} as const;

function chapterOf(name: string, lang: Lang): LabChapter {
  const found = CHAPTERS.find((c) => c.slug === name || c.slug.split("-")[0] === name.padStart(2, "0"));
  if (!found) throw new LabError(`${T.unknown[lang]} ${name}`, "o11y-lab lab list");
  return found;
}

const key = (slug: string, step: number) => `${slug}#${step}`;

function stepText(chapter: LabChapter, index: number, lang: Lang): string[] {
  const step = chapter.steps[index] as LabStep;
  return [
    `${chapter.slug}: ${chapter.title[lang]} — ${T.step[lang]} ${index + 1}/${chapter.steps.length}`,
    `  ${step.task[lang]}`,
    `  docs/tutorial/${lang}/${chapter.slug}.md`,
  ];
}

async function position(env: NodeJS.ProcessEnv, lang: Lang): Promise<{ progress: Progress; chapter: LabChapter }> {
  const progress = await load(env);
  if (!progress) throw new LabError(T.notStarted[lang], T.startHint[lang]);
  return { progress, chapter: chapterOf(progress.chapter, lang) };
}

export function list(done: readonly string[], current: string | undefined, lang: Lang): string[] {
  return CHAPTERS.map((c) => {
    const finished = c.steps.every((_, i) => done.includes(key(c.slug, i)));
    const mark = finished ? "✓" : c.slug === current ? "▶" : " ";
    return `${mark} ${c.slug}  ${c.title[lang]}${c.docker ? `  (${T.docker[lang]})` : ""}`;
  });
}

export interface LabContext {
  readonly lang: Lang;
  readonly env: NodeJS.ProcessEnv;
  readonly backends: () => Backends;
  readonly print: (line: string) => void;
}

export async function labList(ctx: LabContext): Promise<void> {
  const progress = await load(ctx.env);
  for (const line of list(progress?.done ?? [], progress?.chapter, ctx.lang)) ctx.print(line);
}

export async function labStart(name: string, ctx: LabContext): Promise<void> {
  const chapter = chapterOf(name, ctx.lang);
  const progress = (await load(ctx.env)) ?? { chapter: chapter.slug, step: 0, done: [] };
  await save({ ...progress, chapter: chapter.slug, step: 0 }, ctx.env);
  for (const line of stepText(chapter, 0, ctx.lang)) ctx.print(line);
}

export async function labStatus(ctx: LabContext): Promise<void> {
  const { progress, chapter } = await position(ctx.env, ctx.lang);
  const total = CHAPTERS.reduce((n, c) => n + c.steps.length, 0);
  for (const line of stepText(chapter, progress.step, ctx.lang)) ctx.print(line);
  ctx.print(`  ${progress.done.length}/${total}`);
}

export async function labHint(ctx: LabContext): Promise<void> {
  const { progress, chapter } = await position(ctx.env, ctx.lang);
  ctx.print((chapter.steps[progress.step] as LabStep).hint[ctx.lang]);
}

/** Runs the current step's checks; all ✓ marks it done, else one line per missing thing and a non-zero exit. */
export async function labCheckStep(ctx: LabContext, answer?: string): Promise<void> {
  const { progress, chapter } = await position(ctx.env, ctx.lang);
  const step = chapter.steps[progress.step] as LabStep;
  let ok = true;
  if (step.checks.length === 0) ctx.print(`✓ ${T.read[ctx.lang]}: ${step.task[ctx.lang]}`);
  const backends = step.checks.length > 0 ? ctx.backends() : undefined;
  for (const spec of step.checks) {
    const check = labCheck(spec, answer);
    const verdict = await runCheck(check, backends as Backends);
    ctx.print(verdictLine(check.name, verdict));
    ok &&= verdict.ok;
  }
  if (!ok) throw new LabError(T.notYet[ctx.lang], `o11y-lab lab hint: ${step.hint[ctx.lang]}`);
  const done = [...new Set([...progress.done, key(chapter.slug, progress.step)])];
  await save({ ...progress, done }, ctx.env);
  ctx.print(T.passed[ctx.lang]);
}

/** Moves to the next step, or the first step of the next chapter, once the current one is checked. */
export async function labNext(ctx: LabContext): Promise<void> {
  const { progress, chapter } = await position(ctx.env, ctx.lang);
  const reading = (chapter.steps[progress.step] as LabStep).checks.length === 0;
  if (!reading && !progress.done.includes(key(chapter.slug, progress.step))) {
    throw new LabError(T.checkFirst[ctx.lang], "o11y-lab lab check");
  }
  const done = [...new Set([...progress.done, key(chapter.slug, progress.step)])];
  let [slug, step] = [chapter.slug, progress.step + 1];
  if (step >= chapter.steps.length) {
    const next = CHAPTERS[CHAPTERS.indexOf(chapter) + 1];
    if (!next) {
      await save({ ...progress, done }, ctx.env);
      ctx.print(T.allDone[ctx.lang]);
      return;
    }
    [slug, step] = [next.slug, 0];
  }
  await save({ chapter: slug, step, done }, ctx.env);
  for (const line of stepText(chapterOf(slug, ctx.lang), step, ctx.lang)) ctx.print(line);
}

export async function labReset(ctx: LabContext): Promise<void> {
  await rm(progressPath(ctx.env), { force: true });
  ctx.print(T.reset[ctx.lang]);
}

/** "07-chaos-basics 1/2" for the TUI's status line, or undefined when no chapter is started. */
export async function currentStep(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const progress = await load(env).catch(() => undefined);
  const chapter = progress && CHAPTERS.find((c) => c.slug === progress.chapter);
  return chapter && progress ? `${chapter.slug} ${progress.step + 1}/${chapter.steps.length}` : undefined;
}
