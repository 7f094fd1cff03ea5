/** The terminal: alternate screen, raw keys, frames drawn in place, and always restored on the way out. */
import { cells, stripAnsi } from "./text.ts";

const ESC = "\x1b";
const ENTER = `${ESC}[?1049h${ESC}[?25l${ESC}[2J`;
const ARROWS: Record<string, string> = { A: "up", B: "down", C: "right", D: "left" };
const LEAVE = `${ESC}[?2026l${ESC}[0m${ESC}[?25h${ESC}[?1049l`;

/** Splits one chunk of raw input into key names: single characters, or up, down, left, right, enter, escape, … */
export function parseKeys(chunk: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk[i] as string;
    if (c === ESC) {
      const seq = chunk.slice(i + 1, i + 3);
      const arrow = ARROWS[seq.slice(1)];
      if (arrow && (seq[0] === "[" || seq[0] === "O")) keys.push(arrow);
      else if (seq[0] === "[" || seq[0] === "O") {
        // Another CSI/SS3 sequence (function keys, Home, End…): skip it whole.
        const end = chunk.slice(i + 2).search(/[A-Za-z~]/);
        i += end < 0 ? chunk.length : end + 2;
        continue;
      } else {
        keys.push("escape");
        continue;
      }
      i += 2;
    } else if (c === "\x03") keys.push("ctrl-c");
    else if (c === "\r" || c === "\n") keys.push("enter");
    else if (c === "\x7f" || c === "\b") keys.push("backspace");
    else if (c >= " ") keys.push(c);
  }
  return keys;
}

/**
 * Draws whole frames over the previous one: cursor home, each row overwritten and cleared to its end, inside a
 * synchronized update. No screen clear between frames, so nothing flickers.
 */
export function frameBytes(lines: string[], width: number): string {
  const rows = lines.map((line) => (cells(stripAnsi(line)) < width ? `${line}${ESC}[K` : line));
  return `${ESC}[?2026h${ESC}[H${rows.join("\r\n")}${ESC}[?2026l`;
}

export interface Terminal {
  readonly width: number;
  readonly height: number;
  draw(lines: string[]): void;
  /** Puts `text` on the clipboard of terminals that allow it (OSC 52: iTerm2, kitty, WezTerm, Windows Terminal…). */
  copy(text: string): void;
  /** Leaves the screen as it was; safe to call more than once. */
  restore(): void;
}

/** Takes over the terminal: raw keys go to `onKey`, resizes to `onResize`. */
export function openTerminal(onKey: (key: string) => void, onResize: () => void): Terminal {
  const { stdin, stdout } = process;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.off("resize", resize);
    stdin.off("data", data);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
    stdout.write(LEAVE);
  };
  const data = (chunk: Buffer | string) => {
    for (const key of parseKeys(chunk.toString())) onKey(key);
  };
  const resize = () => {
    stdout.write(`${ESC}[2J`);
    onResize();
  };
  process.once("exit", restore);
  stdout.write(ENTER);
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.on("data", data);
  stdin.resume();
  stdout.on("resize", resize);
  return {
    get width() {
      return stdout.columns || 80;
    },
    get height() {
      return stdout.rows || 24;
    },
    draw(lines) {
      if (!restored) stdout.write(frameBytes(lines, stdout.columns || 80));
    },
    copy(text) {
      if (!restored) stdout.write(`${ESC}]52;c;${Buffer.from(text).toString("base64")}\x07`);
    },
    restore,
  };
}
