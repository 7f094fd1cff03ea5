/**
 * Whether this process is the compiled o11y-lab executable or `bun src/index.ts`, and how to run it again. A
 * compiled Bun binary reports its entry script inside its embedded file system: `/$bunfs/…` on Linux and macOS,
 * `B:\~BUN\…` on Windows.
 */
function compiled(script: string | undefined): boolean {
  return !script || script === process.execPath || script.startsWith("/$bunfs/") || /^[A-Z]:\\~BUN\\/.test(script);
}

/** The compiled o11y-lab executable that is running, or undefined when running from source under bun. */
export function runningBinary(): string | undefined {
  return compiled(process.argv[1]) ? process.execPath : undefined;
}

/** The command line that runs this same program: the compiled binary, or bun with the entry script. */
export function selfCommand(): string[] {
  const script = process.argv[1];
  return script === undefined || compiled(script) ? [process.execPath] : [process.execPath, script];
}
