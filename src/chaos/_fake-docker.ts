/**
 * A recording stand-in for the docker CLI, for tests: a shell script named `docker` that logs its argv and
 * answers from rules (first matching shell glob on the joined arguments wins; no match → exit 0, no output).
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Docker, docker as dockerOnPath } from "../stack/docker.ts";

export interface FakeRule {
  /** A shell `case` glob matched against all arguments joined by spaces, e.g. `ps *`. */
  readonly match: string;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly code?: number;
  /** Shell run before answering, e.g. to write the file a real container would have written. */
  readonly shell?: string;
}

export interface FakeDocker {
  /** The lab's Docker, resolving `docker` on a PATH that starts with the stand-in. */
  readonly docker: Docker;
  readonly dir: string;
  /** Every invocation so far, as argv arrays. */
  calls(): Promise<string[][]>;
  remove(): Promise<void>;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export async function fakeDocker(rules: readonly FakeRule[] = []): Promise<FakeDocker> {
  const dir = await mkdtemp(join(tmpdir(), "o11y-fake-docker-"));
  const log = join(dir, "calls.log");
  await writeFile(log, "");
  const arms: string[] = [];
  for (const [i, rule] of rules.entries()) {
    await writeFile(join(dir, `out.${i}`), rule.stdout ?? "");
    await writeFile(join(dir, `err.${i}`), rule.stderr ?? "");
    const pattern = rule.match
      .split("*")
      .map((part) => (part ? quote(part) : ""))
      .join("*");
    const answer = `cat ${quote(join(dir, `out.${i}`))}; cat ${quote(join(dir, `err.${i}`))} >&2; exit ${rule.code ?? 0}`;
    arms.push(`  ${pattern}) ${rule.shell ? `${rule.shell}; ` : ""}${answer};;`);
  }
  const script = [
    "#!/bin/sh",
    `printf '%s\\037' "$@" >> ${quote(log)}`,
    `printf '\\n' >> ${quote(log)}`,
    'case "$*" in',
    ...arms,
    "esac",
    "exit 0",
    "",
  ].join("\n");
  await writeFile(join(dir, "docker"), script);
  await chmod(join(dir, "docker"), 0o755);
  return {
    docker: dockerOnPath({ ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}` }),
    dir,
    async calls() {
      const text = await readFile(log, "utf8");
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split("\x1f").slice(0, -1));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
