// A JSON schema node may carry its own GBNF: `"x-gbnf": { start, rules }` replaces the grammar node-llama-cpp
// would make for that value (the quotes of a string included), so a small model can be held to, say,
// `function f(x) { return <arithmetic>; }` inside an otherwise ordinary JSON answer. JSON Schema has no keyword
// for a context-free language (`pattern` is a regex, and node-llama-cpp ignores it). The node keeps its JSON
// type: the door check and servers (which get no GBNF) see the schema without `x-gbnf`.
import { CultureLabError } from "../../workspace-kb/errors";
import type { JsonSchema } from "./jsonOutput";

export const VALUE_GRAMMAR_KEY = "x-gbnf";

export interface ValueGrammar {
  /** The rule that produces the whole value, e.g. `x-program` (with the quotes, for a string). */
  start: string;
  /** GBNF rules; every rule name starts with `x-`, so none collides with node-llama-cpp's. */
  rules: string;
}

/** The schema as a validator or a server reads it: every `x-gbnf` removed. */
export function withoutValueGrammars(schema: JsonSchema): JsonSchema {
  return strip(schema) as JsonSchema;
}

export function hasValueGrammars(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasValueGrammars);
  if (schema === null || typeof schema !== "object") return false;
  return VALUE_GRAMMAR_KEY in schema || Object.values(schema).some(hasValueGrammars);
}

/**
 * The schema with each `x-gbnf` node replaced by a unique string constant, and how to put the rules back into
 * the grammar made from it: node-llama-cpp writes a constant as one literal, which `splice` swaps for the rule.
 */
export function placeholders(schema: JsonSchema): { schema: JsonSchema; splice: (gbnf: string) => string } {
  const found: Array<{ literal: string; grammar: ValueGrammar }> = [];
  const replace = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(replace);
    if (node === null || typeof node !== "object") return node;
    const record = node as Record<string, unknown>;
    if (VALUE_GRAMMAR_KEY in record) {
      const grammar = checked(record[VALUE_GRAMMAR_KEY]);
      const constant = `@x-gbnf-${found.length}@`;
      // node-llama-cpp writes a string constant as a GBNF literal of its JSON text: "\"@x-gbnf-0@\"".
      found.push({ literal: JSON.stringify(JSON.stringify(constant)), grammar });
      return { const: constant };
    }
    return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, replace(value)]));
  };
  const replaced = replace(schema) as JsonSchema;
  return {
    schema: replaced,
    splice: (gbnf) => {
      let text = gbnf;
      for (const { literal, grammar } of found) {
        if (!text.includes(literal)) throw new CultureLabError("bad-schema", `the grammar made for this schema does not hold the placeholder ${literal}`, "Report this: node-llama-cpp writes constants differently than Culture Lab expects.");
        text = text.split(literal).join(grammar.start);
      }
      // Grammars may share rules (a capped string's character rule): each rule line is written once.
      const rules = [...new Set(found.flatMap((f) => f.grammar.rules.split("\n").map((line) => line.trim())).filter((line) => line.length > 0))];
      return `${text.trimEnd()}\n${rules.join("\n")}\n`;
    },
  };
}

function checked(value: unknown): ValueGrammar {
  const grammar = value as Partial<ValueGrammar> | undefined;
  if (typeof grammar?.start !== "string" || typeof grammar.rules !== "string") {
    throw new CultureLabError("bad-schema", `"${VALUE_GRAMMAR_KEY}" must be {"start": rule name, "rules": GBNF text}`, "Fix the schema.");
  }
  const names = [...grammar.rules.matchAll(/^\s*([A-Za-z0-9_-]+)\s*::=/gm)].map((m) => m[1]!);
  const foreign = [grammar.start, ...names].find((name) => !name.startsWith("x-"));
  if (foreign !== undefined) throw new CultureLabError("bad-schema", `the GBNF rule "${foreign}" of an "${VALUE_GRAMMAR_KEY}" grammar must start with "x-"`, "Rename the rule.");
  if (!names.includes(grammar.start)) throw new CultureLabError("bad-schema", `the "${VALUE_GRAMMAR_KEY}" grammar has no rule ${grammar.start}`, "Define the start rule.");
  return grammar as ValueGrammar;
}

function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== VALUE_GRAMMAR_KEY).map(([key, value]) => [key, strip(value)]));
}

/** One character inside a JSON string, as node-llama-cpp's own string rule writes it: `x-text-char`. */
export const TEXT_CHAR_RULE = 'x-text-char ::= [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" ["\\\\/bfnrt] | "\\\\u" [0-9a-fA-F]{4}';

/**
 * A JSON string of at most `chars` characters, held there by the grammar only. `maxLength` would do the same in
 * the grammar, but the door check would then count UTF-16 units where the grammar counts characters, and refuse
 * a reply that fits (a model that writes an emoji).
 */
export function cappedString(chars: number): Record<string, unknown> {
  return {
    type: "string",
    [VALUE_GRAMMAR_KEY]: {
      start: `x-text-${chars}`,
      rules: [`x-text-${chars} ::= "\\"" x-text-char{0,${chars}} "\\""`, TEXT_CHAR_RULE].join("\n"),
    },
  };
}
