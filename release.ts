/**
 * `bun run release`: every target's binary (build.ts), each archived with README.md, LICENSE and CHANGELOG.md
 * (tar.gz, zip for Windows), the install scripts, SHA256SUMS over all of them, and RELEASE_NOTES.md (this version's
 * CHANGELOG.md section), in dist/release/. install.sh and install.ps1 pick their archive by these names.
 */
import { chmod, copyFile, mkdir } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { $ } from "bun";
import { binaryPath, build, TARGETS, type Target, VERSION } from "./build.ts";

const OUT = "dist/release";
const STAGE = "dist/stage";
const DOCS = ["README.md", "LICENSE", "CHANGELOG.md"];
const INSTALLERS = ["install.sh", "install.ps1"];

/** A target's archive name: no version in it, so `…/releases/latest/download/<name>` always finds the newest. */
export function archiveName(target: Target): string {
  return `o11y-lab-${target.os}-${target.arch}.${target.os === "windows" ? "zip" : "tar.gz"}`;
}

/** The body of CHANGELOG.md's section for a version: from `## [version]` to the next `## ` heading. */
export function releaseNotes(changelog: string, version: string): string {
  const lines = changelog.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`## [${version}]`));
  const end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  const body =
    start < 0
      ? ""
      : lines
          .slice(start + 1, end < 0 ? undefined : end)
          .join("\n")
          .trim();
  if (!body) throw new Error(`CHANGELOG.md has no notes under "## [${version}]": say there what ${version} changes`);
  return `${body}\n`;
}

/** Puts the binary and the docs in a folder named for the release and target, and archives that folder. */
async function archive(target: Target): Promise<string> {
  const folder = `o11y-lab-${VERSION}-${target.os}-${target.arch}`;
  const dir = join(STAGE, folder);
  await mkdir(dir, { recursive: true });
  const binary = join(dir, target.os === "windows" ? "o11y-lab.exe" : "o11y-lab");
  await copyFile(binaryPath(target), binary);
  await chmod(binary, 0o755);
  for (const doc of DOCS) await copyFile(doc, join(dir, doc));
  const out = join(OUT, archiveName(target));
  if (target.os === "windows") await $`zip -q -X -r ${resolve(out)} ${folder}`.cwd(STAGE);
  else await $`tar -C ${STAGE} --sort=name --owner=0 --group=0 --numeric-owner -czf ${out} ${folder}`;
  return out;
}

async function sha256(path: string): Promise<string> {
  return new Bun.CryptoHasher("sha256").update(await Bun.file(path).arrayBuffer()).digest("hex");
}

if (import.meta.main) {
  const notes = releaseNotes(await Bun.file("CHANGELOG.md").text(), VERSION); // before minutes of building
  await build(TARGETS);
  await mkdir(OUT, { recursive: true });
  const files: string[] = [];
  for (const target of TARGETS) files.push(await archive(target));
  for (const script of INSTALLERS) {
    await copyFile(script, join(OUT, script));
    files.push(join(OUT, script));
  }
  const sums = await Promise.all(files.map(async (file) => `${await sha256(file)}  ${basename(file)}\n`));
  await Bun.write(join(OUT, "SHA256SUMS"), sums.join(""));
  await Bun.write(join(OUT, "RELEASE_NOTES.md"), notes);
  console.log(
    `release ${VERSION} in ${OUT}: ${files.map((f) => basename(f)).join(", ")}, SHA256SUMS, RELEASE_NOTES.md`,
  );
}
