/** A reading that changes every few seconds: rewritten in place on a terminal, one line each otherwise. */
export function liveLine(out: { isTTY?: boolean; write(text: string): unknown }): {
  show: (line: string) => void;
  end: () => void;
} {
  if (!out.isTTY) return { show: (line) => out.write(`  now: ${line}\n`), end: () => {} };
  let shown = false;
  return {
    show: (line) => {
      shown = true;
      out.write(`\r\u001b[K  now: ${line}`);
    },
    // The verdict that follows gets a line of its own.
    end: () => {
      if (shown) out.write("\n");
      shown = false;
    },
  };
}
