/** Styled text laid out in terminal cells: every character used on screen is one cell wide. */

export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan" | "inverse";

const SGR: Record<Style, string> = {
  bold: "1",
  dim: "2",
  red: "31",
  green: "32",
  yellow: "33",
  cyan: "36",
  inverse: "7",
};

interface Segment {
  text: string;
  styles: readonly Style[];
}

/** One screen line under construction: styled segments, cut to the screen's width when printed. */
export class Line {
  private readonly segments: Segment[] = [];

  add(text: string, ...styles: Style[]): this {
    if (text) this.segments.push({ text, styles });
    return this;
  }

  /** Pads with spaces up to column `column` (no-op when already there). */
  padTo(column: number): this {
    const missing = column - this.width;
    return missing > 0 ? this.add(" ".repeat(missing)) : this;
  }

  get width(): number {
    return this.segments.reduce((sum, s) => sum + cells(s.text), 0);
  }

  /** The line as the terminal gets it: at most `width` cells, SGR codes only when `color`. */
  print(width: number, color: boolean): string {
    let room = width;
    let out = "";
    for (const { text, styles } of this.segments) {
      if (room <= 0) break;
      const chars = [...text];
      const piece = chars.length > room ? chars.slice(0, room).join("") : text;
      room -= Math.min(chars.length, room);
      out += color && styles.length > 0 ? `\x1b[${styles.map((s) => SGR[s]).join(";")}m${piece}\x1b[0m` : piece;
    }
    return color ? out : out.trimEnd();
  }
}

export function cells(text: string): number {
  return [...text].length;
}

export function padLeft(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - cells(text))) + text;
}

export function padRight(text: string, width: number): string {
  const chars = [...text];
  if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
  return text + " ".repeat(width - chars.length);
}

/** Removes SGR codes: what a frame looks like on a terminal without color. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters by definition.
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
