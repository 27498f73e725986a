// The shapes a model must produce in the self-play game — a proposal and, per mode, an answer — as zod
// schemas (the authority, checked on every output) and as JSON Schemas for grammar-constrained decoding.
// The JSON Schemas are adapted to the subset node-llama-cpp's grammar builder handles well (oneOf, not anyOf;
// no long string caps).
import { z } from "zod";
import type { Json } from "../sandbox/sandbox";

export const MODES = ["deduction", "abduction", "induction"] as const;
export type Mode = (typeof MODES)[number];

/** Caps on what a model may submit; larger output is refused before it reaches the sandbox. */
export const PROPOSAL_CAPS = {
  programChars: 4000,
  hintChars: 500,
  /** Longest thinking a model may write before its proposal or answer. */
  reasoningChars: 8000,
  maxInputs: 8,
  maxArgs: 4,
  /** Longest raw text of a proposal or an answer accepted from a model. */
  textChars: 16_000,
  /** Deepest bracket nesting accepted in that text. */
  nesting: 32,
} as const;

const json: z.ZodType<Json> = z.json();

export const proposalSchema = z
  .object({
    /** The proposer's thinking before it commits to a problem; kept in the run record, not in the problem. */
    reasoning: z.string().max(PROPOSAL_CAPS.reasoningChars).optional(),
    mode: z.enum(MODES),
    program: z.string().max(PROPOSAL_CAPS.programChars).describe("JavaScript source that defines a pure function f"),
    inputs: z
      .array(z.array(json).max(PROPOSAL_CAPS.maxArgs).describe("the arguments of one call of f"))
      .min(1)
      .max(PROPOSAL_CAPS.maxInputs)
      .describe("deduction and abduction: exactly one call; induction: 2 or more calls, half of them held back"),
    hint: z.string().max(PROPOSAL_CAPS.hintChars).describe("induction: what the solver is told about f; else empty"),
  })
  .strict();
export type Proposal = z.infer<typeof proposalSchema>;

export interface Answers {
  deduction: { output: Json };
  abduction: { input: Json[] };
  induction: { program: string };
}
export type Answer<M extends Mode = Mode> = Answers[M];

export const answerSchemas: { [M in Mode]: z.ZodType<Answers[M]> } = {
  deduction: z.object({ output: json.describe("the value f returns for the given input") }).strict(),
  abduction: z
    .object({ input: z.array(json).max(PROPOSAL_CAPS.maxArgs).describe("arguments for which f returns the given output") })
    .strict(),
  induction: z
    .object({ program: z.string().max(PROPOSAL_CAPS.programChars).describe("JavaScript source that defines f") })
    .strict(),
};

/** JSON Schema of a zod schema, in the form node-llama-cpp's `createGrammarForJsonSchema` accepts. */
export function grammarJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const converted = z.toJSONSchema(schema, {
    override: (ctx) => {
      const node = ctx.jsonSchema as Record<string, unknown>;
      // The branches of a JSON value (string | number | … | object) are disjoint by type, so oneOf says the same.
      if (node.anyOf) {
        node.oneOf = node.anyOf;
        delete node.anyOf;
      }
      delete node.propertyNames;
      // llama.cpp expands "up to N characters" into N nested grammar rules; zod enforces the cap after decoding.
      delete node.maxLength;
    },
  }) as Record<string, unknown>;
  delete converted.$schema;
  return converted;
}

/** The proposal's own fields as a grammar schema (node-llama-cpp's grammars make every property required). */
export const proposalJsonSchema = grammarJsonSchema(proposalSchema.omit({ reasoning: true }));

/** A thinking string first, so a model reasons before it commits to JSON it cannot take back. */
export const reasoningJsonSchema = { type: "string", description: "think step by step before answering" } as const;

/**
 * What a proposer decodes under: "reasoning" first, then the proposal with `mode` pinned to the one asked for,
 * so a model cannot answer a deduction request with an induction problem.
 */
export function proposerJsonSchema(mode: Mode): Record<string, unknown> {
  const { properties, required, ...rest } = proposalJsonSchema as { properties: Record<string, unknown>; required: string[] };
  return {
    ...rest,
    properties: { reasoning: reasoningJsonSchema, ...properties, mode: { const: mode } },
    required: ["reasoning", ...required],
  };
}
export const answerJsonSchemas: Record<Mode, Record<string, unknown>> = {
  deduction: grammarJsonSchema(answerSchemas.deduction),
  abduction: grammarJsonSchema(answerSchemas.abduction),
  induction: grammarJsonSchema(answerSchemas.induction),
};
