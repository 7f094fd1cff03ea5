import { defineCommand } from "citty";
import { BACKEND_ARGS, type BackendFlags } from "../verdict/flags.ts";

const LANG = { lang: { type: "string", description: "en or zh-TW (default: from LANG)" } } as const;
const ARGS = { ...LANG, ...BACKEND_ARGS } as const;

async function context(args: BackendFlags & { lang?: string }) {
  const { pickLang } = await import("../lab/model.ts");
  const { backends } = await import("../verdict/flags.ts");
  const { LabError } = await import("../errors.ts");
  let lang: ReturnType<typeof pickLang>;
  try {
    lang = pickLang(args.lang);
  } catch (error) {
    throw new LabError((error as Error).message);
  }
  return { lang, env: process.env, backends: () => backends(args), print: (line: string) => console.log(line) };
}

const lab = () => import("../lab/lab.ts");

export default defineCommand({
  meta: { name: "lab", description: "The tutorial's chapters as steps, each checked against the live lab" },
  subCommands: {
    list: defineCommand({
      meta: { name: "list", description: "The chapters, with the ones done and the current one" },
      args: ARGS,
      run: async ({ args }) => (await lab()).labList(await context(args)),
    }),
    start: defineCommand({
      meta: { name: "start", description: "Start a chapter (its name or number): o11y-lab lab start 07" },
      args: {
        chapter: { type: "positional", description: "chapter, e.g. 07-chaos-basics or 7", required: true },
        ...ARGS,
      },
      run: async ({ args }) => (await lab()).labStart(args.chapter, await context(args)),
    }),
    check: defineCommand({
      meta: {
        name: "check",
        description: "Check the current step against the live lab (non-zero exit until it holds)",
      },
      args: { answer: { type: "string", description: "What the step asks you to find, e.g. a trace id" }, ...ARGS },
      run: async ({ args }) => (await lab()).labCheckStep(await context(args), args.answer),
    }),
    hint: defineCommand({
      meta: { name: "hint", description: "A hint for the current step" },
      args: ARGS,
      run: async ({ args }) => (await lab()).labHint(await context(args)),
    }),
    next: defineCommand({
      meta: { name: "next", description: "Go on to the next step once this one is checked" },
      args: ARGS,
      run: async ({ args }) => (await lab()).labNext(await context(args)),
    }),
    status: defineCommand({
      meta: { name: "status", description: "The current step and how far you are" },
      args: ARGS,
      run: async ({ args }) => (await lab()).labStatus(await context(args)),
    }),
    reset: defineCommand({
      meta: { name: "reset", description: "Forget the progress" },
      args: ARGS,
      run: async ({ args }) => (await lab()).labReset(await context(args)),
    }),
  },
});
