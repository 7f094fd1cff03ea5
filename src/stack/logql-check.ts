/**
 * The meaning of a LogQL log query, checked against entries Loki would store ({@link lokiEntry}): the stream selector
 * may only use index labels, label filters only labels or structured metadata that exported records carry, and the
 * query must select some of them. Only the stages the lab's queries use are understood (stream selector, label
 * matchers, line filters); anything else is reported, never skipped.
 */
import type { LokiEntry } from "./loki-otlp.ts";
import { parserOf, syntaxErrors } from "./query-syntax.ts";

type SyntaxNode = ReturnType<ReturnType<typeof parserOf>["parse"]>["topNode"];
type Op = "=" | "!=" | "=~" | "!~";
interface Matcher {
  readonly kind: "matcher";
  readonly name: string;
  readonly op: Op;
  readonly value: string;
}
interface LineFilter {
  readonly kind: "line";
  readonly op: "|=" | "!=" | "|~" | "!~";
  readonly value: string;
}
type Stage = Matcher | LineFilter;

/** What a query means for the entries it runs over: its problems, and the entries it selects. */
export interface LogQLVerdict {
  readonly problems: string[];
  readonly selected: LokiEntry[];
}

const OPS: Record<string, Op> = { Eq: "=", Neq: "!=", Re: "=~", Nre: "!~" };
const LINE_OPS: Record<string, LineFilter["op"]> = { PipeExact: "|=", Neq: "!=", PipeMatch: "|~", Nre: "!~" };

/** A LogQL string literal: Go-quoted "…" or raw `…`. */
function literal(source: string): string {
  return source.startsWith("`") ? source.slice(1, -1) : (JSON.parse(source) as string);
}

/** RE2 as Loki applies it to labels (fully anchored), with RE2's leading `(?i)` as JS's flag. */
function regex(pattern: string, anchored: boolean): RegExp {
  const insensitive = pattern.startsWith("(?i)");
  const body = insensitive ? pattern.slice(4) : pattern;
  return new RegExp(anchored ? `^(?:${body})$` : body, insensitive ? "i" : "");
}

function matches(op: Op | LineFilter["op"], actual: string | undefined, value: string, anchored: boolean): boolean {
  const a = actual ?? "";
  if (op === "=") return a === value;
  if (op === "|=") return a.includes(value);
  if (op === "!=") return anchored ? a !== value : !a.includes(value);
  if (op === "=~" || op === "|~") return regex(value, anchored).test(a);
  return !regex(value, anchored).test(a);
}

function child(node: SyntaxNode, ...names: string[]): SyntaxNode | null {
  for (let c = node.firstChild; c; c = c.nextSibling) if (names.includes(c.name)) return c;
  return null;
}

function matcherOf(node: SyntaxNode, query: string): Matcher | string {
  const name = child(node, "Identifier");
  const op = child(node, ...Object.keys(OPS));
  const value = child(node, "String");
  if (!name || !op || !value) return `cannot read the matcher ${query.slice(node.from, node.to)}`;
  return {
    kind: "matcher",
    name: query.slice(name.from, name.to),
    op: OPS[op.name] as Op,
    value: literal(query.slice(value.from, value.to)),
  };
}

/** The selector's matchers and the pipeline's stages, in order, or what could not be understood. */
function parse(query: string): { selector: Matcher[]; stages: Stage[]; unsupported: string[] } {
  const selector: Matcher[] = [];
  const stages: Stage[] = [];
  const unsupported: string[] = [];
  const tree = parserOf("logql").parse(query);
  tree.iterate({
    enter(ref) {
      const node = ref.node;
      if (node.name === "MetricExpr") {
        unsupported.push("a metric query (only log queries are checked)");
        return false;
      }
      if (node.name === "Selector") {
        for (const m of node.getChildren("Matchers").flatMap(function all(n): SyntaxNode[] {
          return [...n.getChildren("Matcher"), ...n.getChildren("Matchers").flatMap(all)];
        })) {
          const matcher = matcherOf(m, query);
          if (typeof matcher === "string") unsupported.push(matcher);
          else selector.push(matcher);
        }
        return false;
      }
      if (node.name !== "PipelineStage") return;
      const stage = query.slice(node.from, node.to);
      const filter = child(node, "LabelFilter");
      const lines = child(node, "LineFilters");
      const matcher = filter && child(filter, "Matcher");
      if (filter && matcher && matcher.from === filter.from && matcher.to === filter.to) {
        const m = matcherOf(matcher, query);
        if (typeof m === "string") unsupported.push(m);
        else stages.push(m);
      } else if (lines) {
        for (const line of lines.getChildren("LineFilter")) {
          const op = child(line, "Filter")?.firstChild;
          const value = child(line, "String");
          const lineOp = op && LINE_OPS[op.name];
          if (lineOp && value && line.getChildren("String").length === 1) {
            stages.push({ kind: "line", op: lineOp, value: literal(query.slice(value.from, value.to)) });
          } else {
            unsupported.push(`the line filter ${query.slice(line.from, line.to)}`);
          }
        }
      } else {
        unsupported.push(`the stage ${stage}`);
      }
      return false;
    },
  });
  return { selector, stages, unsupported };
}

/**
 * Runs a log query over `entries` as Loki would: syntax first (Grafana's grammar), then the labels it names, then the
 * entries it selects. A query that selects nothing is a problem: it filters on something no record carries.
 */
export function checkLogQL(query: string, entries: readonly LokiEntry[]): LogQLVerdict {
  const syntax = syntaxErrors("logql", query);
  if (syntax.length > 0) return { problems: syntax, selected: [] };
  const { selector, stages, unsupported } = parse(query);
  const problems = unsupported.map((u) => `cannot check ${u}`);
  for (const m of selector) {
    if (entries.some((e) => m.name in e.labels)) continue;
    const where = entries.some((e) => m.name in e.metadata)
      ? "structured metadata, not an index label: filter it after a `|`"
      : "carried by no exported record";
    problems.push(`stream selector label ${m.name} is ${where}`);
  }
  for (const s of stages) {
    if (s.kind === "matcher" && !entries.some((e) => s.name in e.labels || s.name in e.metadata)) {
      problems.push(`label filter ${s.name} is carried by no exported record (neither index label nor metadata)`);
    }
  }
  const selected = entries.filter(
    (e) =>
      selector.every((m) => matches(m.op, e.labels[m.name], m.value, true)) &&
      stages.every((s) =>
        s.kind === "line"
          ? matches(s.op, e.line, s.value, false)
          : matches(s.op, e.labels[s.name] ?? e.metadata[s.name], s.value, true),
      ),
  );
  if (problems.length === 0 && selected.length === 0) {
    problems.push(`selects none of the ${entries.length} exported records`);
  }
  return { problems, selected };
}
