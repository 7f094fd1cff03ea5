/**
 * The dependencies `serve` hands to a role. Roles see only these shapes; whether a port is traced
 * (auto roles) or raw (manual roles) is decided at the composition root.
 */
export type { Fetch } from "./telemetry/fetch.ts";

/** A value that can be bound into a SQL query. */
export type SqlValue = string | number | boolean | null | Date;
/** A row as postgres.js returns it. */
export type Row = Record<string, unknown>;
/** A tagged-template SQL client: `await sql\`SELECT ...\``. */
export type Query = <T extends Row = Row>(strings: TemplateStringsArray, ...values: SqlValue[]) => Promise<T[]>;

/** Attributes on a business metric. */
export type MetricAttributes = Record<string, string | number | boolean>;
/** A business counter, as the composition root creates it from a role's metric declaration. */
export interface Counter {
  add(value: number, attributes?: MetricAttributes): void;
}
/** A business histogram, as the composition root creates it from a role's metric declaration. */
export interface Histogram {
  record(value: number, attributes?: MetricAttributes): void;
}

/** Attributes a log call carries: they become the OTLP record's attributes (Loki: structured metadata). */
export type LogAttributes = Record<string, string | number | boolean>;

/**
 * Logging: consola's shape, so a role calls `log.info("...")`; records also carry the trace context. A plain
 * object among the arguments is the record's attributes: `log.info("published", { "lab.log_id": 7 })`.
 */
export interface Log {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}
