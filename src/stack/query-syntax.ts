/**
 * Syntax checks for the three query languages the lab ships, with the grammars their own editors use: Grafana's
 * LogQL and TraceQL grammars (@grafana/lezer-logql, @grafana/lezer-traceql) and Prometheus' PromQL grammar
 * (@prometheus-io/lezer-promql), all Apache-2.0. Loki, Tempo and Grafana themselves are AGPL and never run here.
 */
import { parser as logqlParser } from "@grafana/lezer-logql";
import { parser as traceqlParser } from "@grafana/lezer-traceql";
import { parser as promqlParser } from "@prometheus-io/lezer-promql";

export type QueryLanguage = "promql" | "logql" | "traceql";
/** The three are lezer LR parsers. */
type LRParser = typeof logqlParser;

const PARSERS: Record<QueryLanguage, LRParser> = {
  promql: promqlParser,
  logql: logqlParser,
  traceql: traceqlParser,
};

/** The parser of a language, for code that walks the syntax tree. */
export function parserOf(language: QueryLanguage): LRParser {
  return PARSERS[language];
}

/**
 * Where the grammar rejects `query`: one message per error node, with the offset and the text around it.
 * Empty when the query parses.
 */
export function syntaxErrors(language: QueryLanguage, query: string): string[] {
  const errors: string[] = [];
  if (query.trim() === "") return ["empty query"];
  PARSERS[language].parse(query).iterate({
    enter(node) {
      if (!node.type.isError) return;
      const near = query.slice(Math.max(0, node.from - 10), node.to + 10);
      errors.push(`${language} syntax error at ${node.from}: …${near}…`);
    },
  });
  return errors;
}
