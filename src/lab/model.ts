/** The lab's steps as data (docs/tutorial/lab.json, beside the chapters it walks): what each step asks and checks. */
export const LANGS = ["en", "zh-TW"] as const;
export type Lang = (typeof LANGS)[number];
export type Text = Readonly<Record<Lang, string>>;

/** One check a step runs; the kinds are src/lab/checks.ts'. */
export type CheckSpec =
  | { readonly check: "docker-ready" | "containers-healthy" | "gateway-answers" | "lab-down" }
  | { readonly check: "roles-reporting" | "trace-through-kafka" | "exemplars" | "chaos-verdicts" }
  | { readonly check: "k6-passed"; readonly test: string }
  | { readonly check: "traceql"; readonly query: string; readonly what: string }
  | { readonly check: "chaos-effect" | "chaos-recovered"; readonly scenario: string }
  | { readonly check: "slow-span"; readonly role: string; readonly ms: number };

export interface LabStep {
  readonly task: Text;
  readonly hint: Text;
  /** None: a step to read, done once read. */
  readonly checks: readonly CheckSpec[];
}

export interface LabChapter {
  /** The chapter's file name without .md, in docs/tutorial/<lang>/. */
  readonly slug: string;
  readonly title: Text;
  /** Whether its checks need the lab running in Docker (the rest run against any lab, e.g. `serve all`). */
  readonly docker: boolean;
  readonly steps: readonly LabStep[];
}

/** The language from --lang, else LANG / LC_ALL (zh_TW, zh-Hant → zh-TW), else English. */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (flag) {
    const lang = LANGS.find((l) => l.toLowerCase() === flag.toLowerCase());
    if (!lang) throw new Error(`--lang ${flag}: use one of ${LANGS.join(", ")}`);
    return lang;
  }
  const locale = env.LC_ALL || env.LANG || "";
  return /^zh[_-](TW|Hant|HK)/i.test(locale) ? "zh-TW" : "en";
}
