/** A reading that changes every few seconds: rewritten in place on a terminal, one line each otherwise. */
export function liveLine(out: { isTTY?: boolean; write(text: string): unknown }): (line: string) => void {
  if (!out.isTTY) return (line) => out.write(`  now: ${line}\n`);
  return (line) => out.write(`\r\u001b[K  now: ${line}`);
}
