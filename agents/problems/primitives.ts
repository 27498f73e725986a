// The building blocks of the held-out bank: small pure steps on integers, integer lists and strings, each a
// JavaScript expression of the previous value `$`, some with a constant drawn per use. Chaining d of them
// gives a program of difficulty d.
import type { Json } from "../sandbox/sandbox";
import type { Random } from "../../workspace-kb/random";

export type ValueType = "int" | "ints" | "str";

export interface Primitive {
  from: ValueType;
  to: ValueType;
  /** The expression, with `$` for the input and `K` for the drawn constant (if `k` is given). */
  expr: string;
  /** Range the constant is drawn from, both ends included. */
  k?: [number, number];
  /** A constant in the range that would make the step do nothing (x + 0), which the hint would then misdescribe. */
  kNot?: number;
  /** Plain words for the induction hint. */
  says: string;
}

export const PRIMITIVES: readonly Primitive[] = [
  // integer lists → integer lists
  { from: "ints", to: "ints", expr: "$.map(x => x * K)", k: [2, 5], says: "scales each element" },
  { from: "ints", to: "ints", expr: "$.map(x => x + K)", k: [-5, 9], kNot: 0, says: "shifts each element" },
  { from: "ints", to: "ints", expr: "$.filter(x => x % 2 === 0)", says: "keeps some elements" },
  { from: "ints", to: "ints", expr: "$.filter(x => x > K)", k: [0, 10], says: "keeps some elements" },
  { from: "ints", to: "ints", expr: "[...$].reverse()", says: "reorders the list" },
  { from: "ints", to: "ints", expr: "[...$].sort((a, b) => a - b)", says: "reorders the list" },
  { from: "ints", to: "ints", expr: "$.slice(0, K)", k: [1, 4], says: "shortens the list" },
  { from: "ints", to: "ints", expr: "$.slice(K)", k: [1, 3], says: "shortens the list" },
  { from: "ints", to: "ints", expr: "$.map((x, i) => $.slice(0, i + 1).reduce((a, b) => a + b, 0))", says: "accumulates" },
  { from: "ints", to: "ints", expr: "$.filter((x, i) => $.indexOf(x) === i)", says: "removes repeats" },
  { from: "ints", to: "ints", expr: "$.slice(1).map((x, i) => x - $[i])", says: "compares neighbours" },
  { from: "ints", to: "ints", expr: "$.map((x, i) => $[(i + K) % $.length])", k: [1, 3], says: "reorders the list" },
  // integer lists → integer
  { from: "ints", to: "int", expr: "$.reduce((a, b) => a + b, 0)", says: "combines the list into a number" },
  { from: "ints", to: "int", expr: "$.length === 0 ? 0 : Math.max(...$)", says: "picks one element" },
  { from: "ints", to: "int", expr: "$.length", says: "measures the list" },
  { from: "ints", to: "int", expr: "$.filter(x => x > K).length", k: [0, 10], says: "counts elements" },
  // integer lists → string
  { from: "ints", to: "str", expr: "$.map(x => String.fromCharCode(97 + ((x % 26) + 26) % 26)).join('')", says: "turns numbers into letters" },
  { from: "ints", to: "str", expr: "$.join('-')", says: "writes the list out" },
  // integers → integers
  { from: "int", to: "int", expr: "$ * K + 1", k: [2, 4], says: "does arithmetic" },
  { from: "int", to: "int", expr: "$ % K", k: [2, 9], says: "does arithmetic" },
  { from: "int", to: "int", expr: "Math.abs($) + K", k: [1, 5], says: "does arithmetic" },
  { from: "int", to: "int", expr: "String(Math.abs($)).split('').reduce((a, d) => a + Number(d), 0)", says: "works on digits" },
  // integers → lists and strings
  { from: "int", to: "ints", expr: "Array.from({ length: Math.min(Math.abs($), 9) }, (_, i) => i * K)", k: [1, 3], says: "builds a list" },
  { from: "int", to: "ints", expr: "String(Math.abs($)).split('').map(Number)", says: "works on digits" },
  { from: "int", to: "str", expr: "'ab'.repeat(Math.min(Math.abs($) % 5 + 1, 5))", says: "builds a string" },
  // strings → strings
  { from: "str", to: "str", expr: "$.split('').reverse().join('')", says: "rearranges characters" },
  { from: "str", to: "str", expr: "$.toUpperCase()", says: "changes letter case" },
  { from: "str", to: "str", expr: "$.replace(/[aeiou]/g, '*')", says: "replaces some characters" },
  { from: "str", to: "str", expr: "$.replace(/[a-z]/g, c => String.fromCharCode((c.charCodeAt(0) - 97 + K) % 26 + 97))", k: [1, 25], says: "replaces some characters" },
  { from: "str", to: "str", expr: "$.split(' ').filter(w => w.length > 0).join(' ')", says: "tidies spacing" },
  { from: "str", to: "str", expr: "$.slice(0, K)", k: [2, 6], says: "shortens the string" },
  { from: "str", to: "str", expr: "$.split('').filter((c, i) => $.indexOf(c) === i).join('')", says: "removes repeats" },
  // strings → numbers and lists
  { from: "str", to: "int", expr: "$.length", says: "measures the string" },
  { from: "str", to: "int", expr: "$.split('').filter(c => 'aeiou'.includes(c)).length", says: "counts characters" },
  { from: "str", to: "int", expr: "$.split(' ').filter(w => w.length > 0).length", says: "counts words" },
  { from: "str", to: "ints", expr: "$.split('').filter(c => c !== ' ').map(c => c.charCodeAt(0) - 96)", says: "turns letters into numbers" },
];

const TYPE_WORDS: Record<ValueType, string> = { int: "an integer", ints: "a list of integers", str: "a string" };

export function describeType(type: ValueType): string {
  return TYPE_WORDS[type];
}

/** A random input of the given type, small enough to reason about by hand. */
export function randomValue(type: ValueType, random: Random): Json {
  switch (type) {
    case "int":
      return random.int(-20, 99);
    case "ints":
      return Array.from({ length: random.int(3, 8) }, () => random.int(-9, 30));
    case "str": {
      const words = Array.from({ length: random.int(1, 3) }, () =>
        Array.from({ length: random.int(2, 6) }, () => random.pick(LETTERS)).join(""),
      );
      return words.join(" ");
    }
  }
}

const LETTERS = "abcdeeilmnoorstu".split("");
