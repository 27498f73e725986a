// The door for model output in the game: raw text (or an already-decoded value) becomes a typed proposal or
// answer, or a typed failure saying what was wrong. Bad output is expected (small models, the tiny random
// model) and is recorded, so it is a value here, not an exception.
import type { z } from "zod";
import { nestingDepth } from "./canonicalJson";
import { answerSchemas, PROPOSAL_CAPS, proposalSchema } from "./schemas";
import type { Answer, Mode, Proposal } from "./schemas";

export type OutputFailure = { ok: false; reason: "not-json" | "too-large" | "schema"; message: string };
export type Parsed<T> = { ok: true; value: T } | OutputFailure;

export function parseProposal(output: string | unknown): Parsed<Proposal> {
  return parseWith(proposalSchema, output);
}

export function parseAnswer<M extends Mode>(mode: M, output: string | unknown): Parsed<Answer<M>> {
  return parseWith(answerSchemas[mode], output);
}

/**
 * The JSON value a model wrote, also when it wrapped it in a Markdown fence or in prose ("Sure! Here is the
 * problem: {…} I hope this helps"), as models decoding without a grammar do: the whole text if it parses,
 * else a fenced block, else the first balanced {…} in it.
 */
export function jsonInText(text: string): { ok: true; value: unknown } | OutputFailure {
  let firstError: Error;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    firstError = error as Error;
  }
  const candidates = [...text.matchAll(/```[A-Za-z]*[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const braced = firstBalancedObject(text);
  if (braced !== undefined) candidates.push(braced);
  for (const candidate of candidates) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (value !== null && typeof value === "object") return { ok: true, value };
    } catch {
      // not this one; try the next
    }
  }
  return { ok: false, reason: "not-json", message: firstError.message.slice(0, 200) };
}

/** The first {…} whose braces balance outside JSON strings, or undefined. */
function firstBalancedObject(text: string): string | undefined {
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{") depth++;
    else if (char === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

function parseWith<T>(schema: z.ZodType<T>, output: string | unknown): Parsed<T> {
  let value: unknown = output;
  if (typeof output === "string") {
    if (output.length > PROPOSAL_CAPS.textChars) {
      return { ok: false, reason: "too-large", message: `${output.length} characters; the limit is ${PROPOSAL_CAPS.textChars}` };
    }
    if (nestingDepth(output) > PROPOSAL_CAPS.nesting) {
      return { ok: false, reason: "too-large", message: `nested deeper than ${PROPOSAL_CAPS.nesting} levels` };
    }
    const found = jsonInText(output);
    if (!found.ok) return found;
    value = found.value;
  } else {
    // Already decoded by someone else: measure it the same way before zod walks it.
    let text: string | undefined;
    try {
      text = JSON.stringify(output);
    } catch (error) {
      return { ok: false, reason: "not-json", message: (error as Error).message.slice(0, 200) };
    }
    if (text === undefined) return { ok: false, reason: "not-json", message: `a value of type ${typeof output}` };
    if (text.length > PROPOSAL_CAPS.textChars || nestingDepth(text) > PROPOSAL_CAPS.nesting) {
      return { ok: false, reason: "too-large", message: "the value exceeds the size or nesting limit" };
    }
    value = JSON.parse(text);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { ok: false, reason: "schema", message: issues.join("; ") };
  }
  // The value zod checked, not zod's copy: the copy would turn an own "__proto__" key of a JSON object into a
  // prototype, and the answer would no longer equal the truth it spells out. The schemas transform nothing.
  return { ok: true, value: value as T };
}
