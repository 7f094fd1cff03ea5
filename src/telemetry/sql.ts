import { metrics, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Query, Row, SqlValue } from "../ports.ts";
import { VERSION } from "../version.ts";
import { OPERATION_DURATION_BUCKETS, SCOPE } from "./semconv.ts";

/** Where the database lives, for the server.* attributes. */
export interface SqlTarget {
  host: string;
  port: number;
  database: string;
}

const TABLE = /\b(?:INTO|UPDATE|FROM|TABLE(?: IF (?:NOT )?EXISTS)?|JOIN)\s+"?([A-Za-z_][\w.]*)"?/i;

/** Low-cardinality facts about a query: `INSERT request_logs`, never the values bound into it. */
export function describeQuery(text: string): { operation: string; collection?: string; spanName: string } {
  const operation = (text.trim().split(/\s+/)[0] ?? "QUERY").toUpperCase();
  const collection = TABLE.exec(text)?.[1];
  return { operation, collection, spanName: collection ? `${operation} ${collection}` : operation };
}

/**
 * The database half of "auto" instrumentation: a CLIENT span per query named `OPERATION table`,
 * with the parameterised text (values stay out), and `db.client.operation.duration`.
 */
export function tracedQuery(inner: Query, target: SqlTarget): Query {
  const tracer = trace.getTracer(SCOPE, VERSION);
  const duration = metrics.getMeter(SCOPE, VERSION).createHistogram("db.client.operation.duration", {
    unit: "s",
    description: "Duration of database client operations.",
    advice: { explicitBucketBoundaries: OPERATION_DURATION_BUCKETS },
  });

  return async function traced<T extends Row = Row>(
    strings: TemplateStringsArray,
    ...values: SqlValue[]
  ): Promise<T[]> {
    const text = strings.reduce((acc, part, i) => (i === 0 ? part : `${acc}$${i}${part}`), "").trim();
    const { operation, collection, spanName } = describeQuery(text);
    const base = {
      "db.system.name": "postgresql",
      "db.operation.name": operation,
      "db.namespace": target.database,
      ...(collection ? { "db.collection.name": collection } : {}),
    };
    const started = performance.now();
    return tracer.startActiveSpan(
      spanName,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          ...base,
          "db.query.text": text.replace(/\s+/g, " "),
          "server.address": target.host,
          "server.port": target.port,
        },
      },
      async (span) => {
        let errorType: string | undefined;
        try {
          return await inner<T>(strings, ...values);
        } catch (error) {
          errorType = (error as { code?: string }).code ?? (error instanceof Error ? error.name : "Error");
          span.recordException(error instanceof Error ? error : String(error));
          span.setAttribute("error.type", errorType);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
          duration.record((performance.now() - started) / 1000, {
            ...base,
            ...(errorType ? { "error.type": errorType } : {}),
          });
        }
      },
    );
  };
}
