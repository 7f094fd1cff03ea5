import { context, metrics, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
  METRIC_DB_CLIENT_OPERATION_DURATION,
} from "@opentelemetry/semantic-conventions";
import type { Query, Row, SqlValue } from "../ports.ts";
import { VERSION } from "../version.ts";
import { OPERATION_DURATION_BUCKETS, SCOPE } from "./semconv.ts";

/** Where the database lives, for the server.* attributes. */
export interface SqlTarget {
  host: string;
  port: number;
  database: string;
}

/** Keywords that start an operation in a summary; CREATE/ALTER/DROP take the object kind that follows. */
const OPERATIONS = new Set(["SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "ALTER", "DROP", "TRUNCATE"]);
const WITH_KIND = new Set(["CREATE", "ALTER", "DROP"]);
const OBJECT_KINDS = new Set(["TABLE", "INDEX", "VIEW", "SEQUENCE", "SCHEMA", "FUNCTION", "TRIGGER", "DATABASE"]);
/** Keywords after which an operation's target (a table) is named. */
const TARGET_FOLLOWS = new Set(["FROM", "INTO", "JOIN", "USING"]);
/** Words that may stand between an operation and its target. */
const FILLER = new Set(["IF", "NOT", "EXISTS", "ONLY", "TABLE"]);

/**
 * `db.query.summary` as the database conventions describe it: each operation and the table it targets, in
 * the order they appear and as written (no case folding), e.g. `SELECT request_logs` or
 * `INSERT shipping_details SELECT orders`. String literals and comments are never part of it.
 */
export function querySummary(text: string): string {
  const tokens =
    text.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'/g, " ").match(/"[^"]+"|[A-Za-z_][\w$.]*|\S/g) ?? [];
  const parts: string[] = [];
  let targetNext = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const upper = token.toUpperCase();
    const kind = tokens[i + 1];
    if (OPERATIONS.has(upper)) {
      const withKind = WITH_KIND.has(upper) && kind !== undefined && OBJECT_KINDS.has(kind.toUpperCase());
      parts.push(withKind ? `${token} ${kind}` : token);
      if (withKind) i++;
      targetNext = withKind || upper === "UPDATE" || upper === "TRUNCATE";
    } else if (TARGET_FOLLOWS.has(upper)) {
      targetNext = parts.length > 0;
    } else if (targetNext && FILLER.has(upper)) {
      // IF NOT EXISTS, ONLY, TABLE: the target comes after them.
    } else {
      if (targetNext && /^[A-Za-z_"]/.test(token)) parts.push(token.replace(/"/g, ""));
      targetNext = false;
    }
  }
  // The conventions cap a summary at 255 characters.
  return parts.join(" ").slice(0, 255) || "QUERY";
}

/** A SQLSTATE from PostgreSQL (postgres.js raises it as PostgresError.code): the database's own answer. */
function sqlState(error: unknown): string | undefined {
  const { name, code } = error as { name?: string; code?: unknown };
  return name === "PostgresError" && typeof code === "string" ? code : undefined;
}

/**
 * The database half of "auto" instrumentation: a CLIENT span per query named by its summary, with the
 * parameterised text (values stay out), and `db.client.operation.duration`. A failed query carries
 * error.type (the SQLSTATE, or the client's error code) and, when PostgreSQL answered, db.response.status_code.
 */
export function tracedQuery(inner: Query, target: SqlTarget): Query {
  const tracer = trace.getTracer(SCOPE, VERSION);
  const duration = metrics.getMeter(SCOPE, VERSION).createHistogram(METRIC_DB_CLIENT_OPERATION_DURATION, {
    unit: "s",
    description: "Duration of database client operations.",
    advice: { explicitBucketBoundaries: OPERATION_DURATION_BUCKETS },
  });

  return async function traced<T extends Row = Row>(
    strings: TemplateStringsArray,
    ...values: SqlValue[]
  ): Promise<T[]> {
    const text = strings.reduce((acc, part, i) => (i === 0 ? part : `${acc}$${i}${part}`), "").trim();
    const summary = querySummary(text);
    const base = {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_NAMESPACE]: target.database,
      [ATTR_DB_QUERY_SUMMARY]: summary,
      [ATTR_SERVER_ADDRESS]: target.host,
      [ATTR_SERVER_PORT]: target.port,
    };
    const started = performance.now();
    return tracer.startActiveSpan(
      summary,
      { kind: SpanKind.CLIENT, attributes: { ...base, [ATTR_DB_QUERY_TEXT]: text.replace(/\s+/g, " ") } },
      async (span) => {
        let failure: Record<string, string> = {};
        try {
          return await inner<T>(strings, ...values);
        } catch (error) {
          const state = sqlState(error);
          const code = (error as { code?: unknown }).code;
          failure = {
            [ATTR_ERROR_TYPE]:
              state ?? (typeof code === "string" ? code : error instanceof Error ? error.name : "_OTHER"),
            ...(state ? { [ATTR_DB_RESPONSE_STATUS_CODE]: state } : {}),
          };
          span.recordException(error instanceof Error ? error : String(error));
          span.setAttributes(failure);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
          if (!isTracingSuppressed(context.active())) {
            duration.record((performance.now() - started) / 1000, { ...base, ...failure });
          }
        }
      },
    );
  };
}
