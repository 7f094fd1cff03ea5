/**
 * Type-checks provisioning files against Grafana's published types without running Grafana: each file becomes a
 * TypeScript module, its value written one key a line with `satisfies <Type>` on the parts that have a type of their
 * own (a panel, a target, a data source), and the repo's own `tsc` checks them. Excess property checks make an
 * unknown key an error, and each error line maps back to the JSON path it came from.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type JsonPath = ReadonlyArray<string | number>;

/** One file to check. */
export interface CheckedFile {
  readonly name: string;
  readonly value: unknown;
  /** TypeScript declarations the types below may use (imports, a union of provisioned uids) */
  readonly preamble: string;
  /** The type a part must satisfy, if it has one of its own */
  readonly typeAt: (path: JsonPath, value: unknown) => string | undefined;
  /** Where a path is, for people: a panel's title, a data source's name */
  readonly describe: (path: JsonPath) => string;
}

/** A type error, at the JSON path it belongs to. */
export interface Problem {
  readonly file: string;
  readonly where: string;
  readonly path: string;
  readonly message: string;
}

/** `panels[3].options.legend`: how a path reads in a message. */
export function showPath(path: JsonPath): string {
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("") || "(top)";
}

interface Source {
  lines: string[];
  paths: JsonPath[];
}

function emit(file: CheckedFile, value: unknown, path: JsonPath, prefix: string, suffix: string, out: Source): void {
  const type = file.typeAt(path, value);
  const end = (type ? ` satisfies ${type}` : "") + suffix;
  const indent = "  ".repeat(path.length);
  const push = (line: string) => {
    out.lines.push(indent + line);
    out.paths.push(path);
  };
  if (Array.isArray(value)) {
    push(`${prefix}[`);
    value.forEach((v, i) => {
      emit(file, v, [...path, i], "", ",", out);
    });
    push(`]${end}`);
  } else if (value !== null && typeof value === "object") {
    push(`${prefix}{`);
    for (const [k, v] of Object.entries(value)) emit(file, v, [...path, k], `${JSON.stringify(k)}: `, ",", out);
    push(`}${end}`);
  } else push(`${prefix}${JSON.stringify(value)}${end}`);
}

const TSC = join(import.meta.dir, "../../node_modules/.bin/tsc");

/** Checks every file in one compiler run; returns each error at its JSON path. */
export function typecheck(files: readonly CheckedFile[]): Problem[] {
  const dir = mkdtempSync(join(tmpdir(), "o11y-lab-typecheck-"));
  try {
    const sources = files.map((file, i) => {
      const out: Source = { lines: [], paths: [] };
      emit(file, file.value, [], "", ";", out);
      const header = `${file.preamble}\nexport const value =`.split("\n");
      writeFileSync(join(dir, `f${i}.ts`), [...header, ...out.lines].join("\n"));
      return { file, paths: [...header.map((): JsonPath => []), ...out.paths] };
    });
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          module: "Preserve",
          moduleResolution: "bundler",
          allowImportingTsExtensions: true,
          target: "ESNext",
          types: [],
        },
        files: files.map((_, i) => `f${i}.ts`),
      }),
    );
    const run = Bun.spawnSync([TSC, "-p", dir, "--pretty", "false"], { stdout: "pipe", stderr: "pipe" });
    const output = run.stdout.toString() + run.stderr.toString();
    const { problems, elsewhere } = parse(output, sources);
    // An error outside the generated modules (in the type files themselves) would make every check meaningless.
    if (elsewhere.length || (run.exitCode !== 0 && problems.length === 0))
      throw new Error(`tsc failed outside the checked files:\n${elsewhere.join("\n") || output}`);
    return problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** tsc's `fN.ts(line,col): error TSxxxx: message` lines, with their indented elaborations folded in. */
function parse(output: string, sources: ReadonlyArray<{ file: CheckedFile; paths: JsonPath[] }>) {
  const problems: Problem[] = [];
  const elsewhere: string[] = [];
  for (const block of output.split(/\n(?=\S)/)) {
    const m = /^(?:\S*\/)?f(\d+)\.ts\((\d+),\d+\): error (TS\d+): ([\s\S]*)$/.exec(block.trim());
    const source = sources[Number(m?.[1])];
    if (!m || !source) {
      if (/error TS\d+/.test(block)) elsewhere.push(block.trim());
      continue;
    }
    const path = source.paths[Number(m[2]) - 1] ?? [];
    const message = (m[4] ?? "")
      .split("\n")
      .map((l) => l.trim())
      .join(" ")
      .replace(/import\("[^"]*"\)\./g, "");
    problems.push({ file: source.file.name, where: source.file.describe(path), path: showPath(path), message });
  }
  return { problems, elsewhere };
}

/** A problem as one line: file › where › path: message. */
export function showProblem(p: Problem): string {
  return `${p.file} › ${p.where} › ${p.path}: ${p.message}`;
}
