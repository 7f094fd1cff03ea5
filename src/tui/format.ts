/** How numbers read on screen: short, fixed meaning, "—" for no data. */

export const NO_DATA = "—";

export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return NO_DATA;
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)}k`;
  if (perSecond >= 100) return perSecond.toFixed(0);
  if (perSecond >= 10) return perSecond.toFixed(1);
  return perSecond.toFixed(2);
}

export function formatPercent(percent: number | null): string {
  if (percent === null) return NO_DATA;
  return percent >= 10 ? `${percent.toFixed(0)}%` : `${percent.toFixed(1)}%`;
}

/** Seconds as ms or s. */
export function formatLatency(seconds: number | null): string {
  if (seconds === null) return NO_DATA;
  if (seconds < 0.01) return `${(seconds * 1000).toFixed(1)}ms`;
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 10) return `${seconds.toFixed(2)}s`;
  return `${seconds.toFixed(1)}s`;
}

/** Milliseconds as "45s", "3m05s", "1h02m". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** Local wall-clock time, HH:MM:SS. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/** The largest value of some series: the top of a shared sparkline scale. */
export function peak(series: Iterable<ReadonlyArray<number | null>>): number {
  let max = 0;
  for (const values of series) for (const v of values) if (v !== null && v > max) max = v;
  return max;
}

/**
 * One cell per value, scaled to `max` (a whole column's peak, so rows compare; the series' own peak when omitted);
 * blank where there is no data.
 */
export function sparkline(values: ReadonlyArray<number | null>, max = peak([values])): string {
  return values
    .map((v) => {
      if (v === null) return " ";
      if (max === 0 || v <= 0) return BARS[0];
      return BARS[Math.max(1, Math.min(7, Math.round((v / max) * 7)))];
    })
    .join("");
}
