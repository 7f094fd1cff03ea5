/**
 * Styled text laid out in terminal cells. Every string is cleaned on its way in (escape sequences and control
 * characters removed: Tempo error bodies, log lines and exception messages come from outside and must not move the
 * cursor), and measured with Bun.stringWidth, so wide characters (CJK, emoji) take the two cells they take on screen.
 */

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

/** C0 and C1 controls and DEL; tabs and line breaks become spaces first so words stay apart. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what must never reach the terminal.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const BREAKS = /[\t\n\r\v\f]+/g;

/** Outside text made safe to draw: one line, no escape sequences, no control characters. */
export function clean(text: string): string {
  return Bun.stripANSI(text).replace(BREAKS, " ").replace(CONTROL, "");
}

interface Segment {
  text: string;
  styles: readonly Style[];
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** The longest start of `text` that fits in `room` cells, and its width. */
function fit(text: string, room: number): { piece: string; width: number } {
  const whole = cells(text);
  if (whole <= room) return { piece: text, width: whole };
  let piece = "";
  let width = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = cells(segment);
    if (width + w > room) break;
    piece += segment;
    width += w;
  }
  return { piece, width };
}

/** One screen line under construction: styled segments, cut to the screen's width when printed. */
export class Line {
  private readonly segments: Segment[] = [];

  add(text: string, ...styles: Style[]): this {
    const safe = clean(text);
    if (safe) this.segments.push({ text: safe, styles });
    return this;
  }

  /** Adds the segments of `other`, styles kept. */
  append(other: Line): this {
    this.segments.push(...other.segments);
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
      const { piece, width: used } = fit(text, room);
      room -= used;
      if (!piece) break;
      out += color && styles.length > 0 ? `\x1b[${styles.map((s) => SGR[s]).join(";")}m${piece}\x1b[0m` : piece;
    }
    return color ? out : out.trimEnd();
  }
}

/** Cells `text` takes on a terminal. */
export function cells(text: string): number {
  return Bun.stringWidth(text);
}

export function padLeft(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - cells(text))) + text;
}

/** `text` in exactly `width` cells: padded, or cut with an ellipsis. */
export function padRight(text: string, width: number): string {
  const w = cells(text);
  if (w > width) {
    const { piece, width: used } = fit(text, Math.max(0, width - 1));
    return `${piece}…${" ".repeat(Math.max(0, width - 1 - used))}`;
  }
  return text + " ".repeat(width - w);
}

/** Removes SGR codes: what a frame looks like on a terminal without color. */
export function stripAnsi(text: string): string {
  return Bun.stripANSI(text);
}
