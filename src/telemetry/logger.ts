import { formatWithOptions } from "node:util";
import { context, type DiagLogger, isSpanContextValid, logs, SeverityNumber, trace } from "@opentelemetry/api";
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from "@opentelemetry/semantic-conventions";
import { type ConsolaInstance, type ConsolaReporter, createConsola, type LogObject } from "consola";
import type { LogAttributes } from "../ports.ts";
import type { RoleName } from "../roles.ts";
import { VERSION } from "../version.ts";

const SEVERITY: Record<string, [SeverityNumber, string]> = {
  trace: [SeverityNumber.TRACE, "TRACE"],
  debug: [SeverityNumber.DEBUG, "DEBUG"],
  verbose: [SeverityNumber.DEBUG, "DEBUG"],
  info: [SeverityNumber.INFO, "INFO"],
  log: [SeverityNumber.INFO, "INFO"],
  success: [SeverityNumber.INFO, "INFO"],
  ready: [SeverityNumber.INFO, "INFO"],
  start: [SeverityNumber.INFO, "INFO"],
  box: [SeverityNumber.INFO, "INFO"],
  warn: [SeverityNumber.WARN, "WARN"],
  error: [SeverityNumber.ERROR, "ERROR"],
  fail: [SeverityNumber.ERROR, "ERROR"],
  fatal: [SeverityNumber.FATAL, "FATAL"],
};

/** One JSON line a log record becomes on stdout, so `o11y-lab logs` is useful without Grafana. */
export interface LogLine {
  time: string;
  level: string;
  service: string;
  message: string;
  trace_id?: string;
  span_id?: string;
  error?: string;
  attributes?: LogAttributes;
}

/** A plain object (not an Error, an array or a class instance): what a log call passes as attributes. */
function isAttributes(value: unknown): value is LogAttributes {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Turns a consola record into the JSON line and the OTLP record, both stamped with the active span. A plain
 * object argument (`log.info("published", { "messaging.message.id": id })`) is not formatted into the body:
 * it becomes the record's attributes, which Loki keeps as structured metadata a learner can filter on.
 */
export function otelReporter(role: RoleName, write: (line: string) => void): ConsolaReporter {
  const logger = logs.getLogger("o11y-lab/log", VERSION);
  return {
    log(record: LogObject) {
      const [severityNumber, severityText] = SEVERITY[record.type] ?? [SeverityNumber.INFO, "INFO"];
      const error = record.args.find((a): a is Error => a instanceof Error);
      const attributes: LogAttributes = Object.assign({}, ...record.args.filter(isAttributes));
      const message = formatWithOptions(
        { breakLength: Number.POSITIVE_INFINITY },
        ...record.args.filter((a) => a !== error && !isAttributes(a)),
      );
      const hasAttributes = Object.keys(attributes).length > 0;
      const spanContext = trace.getSpanContext(context.active());
      const line: LogLine = {
        time: record.date.toISOString(),
        level: severityText,
        service: role,
        message,
        ...(spanContext && isSpanContextValid(spanContext)
          ? { trace_id: spanContext.traceId, span_id: spanContext.spanId }
          : {}),
        ...(error ? { error: `${error.name}: ${error.message}` } : {}),
        ...(hasAttributes ? { attributes } : {}),
      };
      write(`${JSON.stringify(line)}\n`);
      logger.emit({
        timestamp: record.date,
        severityNumber,
        severityText,
        body: message,
        context: context.active(),
        attributes: {
          ...attributes,
          ...(error
            ? {
                [ATTR_EXCEPTION_TYPE]: error.name,
                [ATTR_EXCEPTION_MESSAGE]: error.message,
                [ATTR_EXCEPTION_STACKTRACE]: error.stack ?? "",
              }
            : {}),
        },
      });
    },
  };
}

/** The role's logger: consola, never throttled (every record matters in a lab), reported as above. */
export function createLog(
  role: RoleName,
  write: (line: string) => void = (l) => process.stdout.write(l),
): ConsolaInstance {
  return createConsola({
    level: process.env.LOG_LEVEL === "debug" ? 4 : 3,
    throttle: 0,
    reporters: [otelReporter(role, write)],
  });
}

/**
 * The SDK's own diagnostics (failed exports, OTEL_* values not understood) as JSON lines on stderr, never
 * as OTLP records: a log about a failing export must not depend on that export.
 */
export function diagLogger(role: RoleName, write: (line: string) => void = (l) => process.stderr.write(l)): DiagLogger {
  const at =
    (level: string) =>
    (message: string, ...args: unknown[]) => {
      const text = formatWithOptions({ breakLength: Number.POSITIVE_INFINITY }, message, ...args);
      const line: LogLine = { time: new Date().toISOString(), level, service: role, message: `opentelemetry: ${text}` };
      write(`${JSON.stringify(line)}\n`);
    };
  return { error: at("ERROR"), warn: at("WARN"), info: at("INFO"), debug: at("DEBUG"), verbose: at("TRACE") };
}
