// Program text as small instruct models write it, made into what the sandbox runs: the code of a Markdown
// fence, without `export` / `module.exports` (there are no modules in the sandbox), without a top-level
// `console.log(f(…))` demo line, and without simple TypeScript annotations on f's signature and on variables.
// Only what is unambiguous is rewritten; anything else reaches the sandbox as written and fails there with the
// engine's message, which `languageHint` then explains when the text is plainly Python or TypeScript.

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g;
const DEFINES_F = /\bfunction\s+f\s*\(|\b(?:const|let|var)\s+f\s*=/;
// A TypeScript type as models write them on parameters: number, string[], Array<number>, number | null, {…} is left alone.
const TYPE = String.raw`[A-Za-z_$][\w$.]*(?:<[^<>()]*>)?(?:\[\])*(?:\s*\|\s*[A-Za-z_$][\w$.]*(?:<[^<>()]*>)?(?:\[\])*)*`;

/** The program the sandbox should run for a model's program text. */
export function normaliseProgram(text: string): string {
  let program = fencedCode(text) ?? text;
  program = program
    .replace(/^\s*export\s+default\s+(?=function|async|class|\()/gm, "")
    .replace(/^(\s*)export\s+(?=function|const|let|var|async|class)/gm, "$1")
    .replace(/^\s*export\s*\{[^}]*\};?[ \t]*$/gm, "")
    .replace(/^\s*export\s+default\s+f\s*;?[ \t]*$/gm, "")
    .replace(/^\s*module\.exports\s*=\s*[^;\n]*;?[ \t]*$/gm, "")
    .replace(/^\s*(?:module\.)?exports\.\w+\s*=\s*[^;\n]*;?[ \t]*$/gm, "")
    // A demo call at the top level runs at load time with whatever it passes; the game calls f itself.
    .replace(/^console\.\w+\(.*\);?[ \t]*$/gm, "");
  return stripTypeAnnotations(program).trim();
}

/** The code of the first fence that defines f (else the first fence), or undefined when there is no fence. */
function fencedCode(text: string): string | undefined {
  const blocks = [...text.matchAll(FENCE)].map((m) => m[2] ?? "");
  if (blocks.length === 0) return undefined;
  return blocks.find((b) => DEFINES_F.test(b)) ?? blocks[0];
}

function stripTypeAnnotations(program: string): string {
  // function f(xs: number[], k: number): number {   and   const f = (xs: number[]): number[] =>   and   let n: number =
  const fn = new RegExp(String.raw`(\bfunction\s+[\w$]+\s*)(?:<[^<>()]*>)?\(([^()]*)\)(?:\s*:\s*(?:${TYPE}))?(\s*\{)`, "g");
  const arrow = new RegExp(String.raw`(\b(?:const|let|var)\s+[\w$]+\s*=\s*)\(([^()]*)\)(?:\s*:\s*(?:${TYPE}))?(\s*=>)`, "g");
  const variable = new RegExp(String.raw`(\b(?:const|let|var)\s+[\w$]+)\s*:\s*(?:${TYPE})(\s*=)`, "g");
  return program
    .replace(fn, (_m, head: string, params: string, brace: string) => `${head}(${stripParams(params)})${brace}`)
    .replace(arrow, (_m, head: string, params: string, arrowText: string) => `${head}(${stripParams(params)})${arrowText}`)
    .replace(variable, "$1$2");
}

function stripParams(params: string): string {
  return params.replace(new RegExp(String.raw`([\w$]+\??)\s*:\s*(?:${TYPE})`, "g"), (_m, name: string) => name.replace(/\?$/, ""));
}

/** A sentence for a program that failed to parse, when its text says why (another language); else undefined. */
export function languageHint(text: string): string | undefined {
  if (/^\s*def\s+f\s*\(.*\)\s*:/m.test(text)) return "f is written in Python (def f(...):); the game runs JavaScript: write function f(...) { ... }";
  if (/\b(?:function\s+f\s*\([^)]*:\s*\w|interface\s+\w+\s*\{|:\s*(?:number|string|boolean)(?:\[\])?\s*[,)=;{])/.test(text)) {
    return "f looks like TypeScript; the game runs plain JavaScript: drop the type annotations";
  }
  return undefined;
}

export interface Parameters {
  /** Arguments f needs (those before the first default or rest parameter). */
  required: number;
  /** Most arguments f reads; undefined when it takes a rest parameter or reads `arguments`. */
  most: number | undefined;
}

/** What f's signature says about its arguments, or undefined when its definition cannot be read with certainty. */
export function parametersOfF(program: string): Parameters | undefined {
  const match =
    /\bfunction\s+f\s*\(([^()]*)\)/.exec(program) ??
    /\b(?:const|let|var)\s+f\s*=\s*(?:function\s*[\w$]*\s*)?\(([^()]*)\)\s*(?:=>|\{)/.exec(program) ??
    /\b(?:const|let|var)\s+f\s*=\s*([\w$]+)\s*=>/.exec(program);
  if (!match) return undefined;
  const list = splitTopLevel(match[1] ?? "");
  if (list === undefined) return undefined;
  if (list.some((p) => p.startsWith("...")) || /\barguments\b/.test(program)) return { required: requiredCount(list), most: undefined };
  return { required: requiredCount(list), most: list.length };
}

function requiredCount(list: string[]): number {
  const firstOptional = list.findIndex((p) => p.includes("=") || p.startsWith("..."));
  return firstOptional < 0 ? list.length : firstOptional;
}

/** Parameters split at top-level commas; undefined when brackets do not balance (destructuring we cannot read). */
function splitTopLevel(text: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
    if (depth < 0) return undefined;
    if (char === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  if (depth !== 0) return undefined;
  if (current.trim()) parts.push(current.trim());
  return parts.filter((p) => p.length > 0);
}
