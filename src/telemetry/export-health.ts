/**
 * Says when a signal's exports stop reaching the backend and when they reach it again. The SDK reports each failed
 * batch (a diag error per batch, on stderr), but never that the backend is back, nor how much was lost meanwhile:
 * a learner who stopped the collector should read both in `o11y-lab logs`.
 */
import { diag } from "@opentelemetry/api";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";

type Done = (result: ExportResult) => void;
/** What the trace, metric and log exporters have in common. */
interface Exporter {
  export(items: never, resultCallback: Done): void;
}

/** Wraps `exporter.export` in place: one warning when its exports start failing, one line when they work again. */
export function watchExports<E extends Exporter>(
  signal: "traces" | "metrics" | "logs",
  exporter: E,
  say: Pick<typeof diag, "warn" | "info"> = diag,
  now: () => number = Date.now,
): E {
  let failingSince: number | undefined;
  let failed = 0;
  const track = (result: ExportResult) => {
    if (result.code === ExportResultCode.SUCCESS) {
      if (failingSince === undefined) return;
      const seconds = Math.round((now() - failingSince) / 1000);
      say.info(`${signal} export works again after ${seconds} s; ${failed} batch(es) were dropped meanwhile`);
      failingSince = undefined;
      failed = 0;
      return;
    }
    failed++;
    if (failingSince !== undefined) return;
    failingSince = now();
    const reason = result.error?.message ?? "no reason given";
    say.warn(`${signal} export failing (${reason}): ${signal} are dropped until the backend answers again`);
  };
  const original = exporter.export.bind(exporter) as (items: unknown, done: Done) => void;
  exporter.export = ((items: unknown, done: Done) =>
    original(items, (result) => {
      track(result);
      done(result);
    })) as E["export"];
  return exporter;
}
