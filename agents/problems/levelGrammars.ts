// The shapes of program a curriculum level allows, as GBNF for a JSON string (valueGrammar.ts): a model is
// held to `function f(x) { return <arithmetic on x>; }` at the first level and to a chain of list methods at the
// second, so even a 135M model writes a program that parses and takes one argument; what it computes is its own.
// Every production is valid JavaScript, and none holds a quote or a backslash, so the JSON string needs no escape.

/** A whole number an argument may be: small, so a solver can work it by hand. */
export const SMALL_INTEGER = {
  start: "x-small-int",
  rules: 'x-small-int ::= "0" | "-"? [1-9] [0-9]?',
};

const ARITHMETIC_RULES = [
  // The expression starts with x, so f depends on its input (an abduction target that ignores it is refused),
  // and has one to three operations; parentheses nest one level, so no model can run on inside them.
  'x-arith ::= x-arith-lead (" " x-arith-op " " x-arith-term){1,3}',
  'x-arith-lead ::= "x" (" % " x-arith-mod)? | "Math.abs(x)" | "(x " x-arith-op " " x-arith-simple (" " x-arith-op " " x-arith-simple){0,2} ")"',
  'x-arith-term ::= x-arith-atom (" % " x-arith-mod)?',
  'x-arith-atom ::= x-arith-simple | "(" x-arith-simple (" " x-arith-op " " x-arith-simple){1,2} ")"',
  'x-arith-simple ::= "x" | [1-9] [0-9]?',
  'x-arith-op ::= "+" | "-" | "*"',
  'x-arith-mod ::= [2-9] | [1-9] [0-9]',
].join("\n");

/** Level "arithmetic": f of one whole number, returning arithmetic on it. */
export const ARITHMETIC_PROGRAM = {
  start: "x-arith-program",
  rules: ['x-arith-program ::= "\\"function f(x) { return " x-arith "; }\\""', ARITHMETIC_RULES].join("\n"),
};

/** Level "lists": f of one list of whole numbers, a chain of one or two list methods, maybe reduced to a number. */
export const LIST_PROGRAM = {
  start: "x-list-program",
  rules: [
    'x-list-program ::= "\\"function f(xs) { return xs" x-list-step x-list-step? x-list-end? "; }\\""',
    'x-list-step ::= ".map(x => " x-arith ")" | ".filter(x => " x-list-test ")" | ".slice(" [1-3] ")" | ".reverse()"',
    'x-list-test ::= "x " ("<" | ">" | "<=" | ">=" | "===" | "!==") " " ("0" | "-"? [1-9] [0-9]?) | "x % " x-arith-mod " === " [0-9]',
    'x-list-end ::= ".length" | ".reduce((a, b) => a + b, 0)"',
    ARITHMETIC_RULES,
  ].join("\n"),
};
