// Worked examples for the curriculum's grammar levels ("free" keeps fewShot.ts's). A small model copies the
// shape of what it is shown far better than it follows a description, so a solver's example works the puzzle
// the way the model should: put the input into the code, then compute ("x is 4, so x * 3 - 1 is 4 * 3 - 1 =
// 11"; measured on SmolLM2-135M, 15 arithmetic deductions, 3 samples each at temperature 0.3: 14 of 45 right
// with this example; a plain few-shot prompt without reasoning got 1 of 30 at temperature 0.8). Proposers are
// shown the form of a reply, not a program to copy; a proposal a solver could answer by copying its own example
// is refused (it teaches nothing).
import type { Mode } from "../problems/schemas";
import type { Level } from "./curriculum";
import type { ExampleAnswer, ExampleProposal } from "./fewShot";
import { EXAMPLE_ANSWERS, EXAMPLE_PROPOSALS } from "./fewShot";

type GrammarLevel = Exclude<Level, "free">;

const fn = (body: string, param = "x") => `function f(${param}) { return ${body}; }`;
const list = (body: string) => fn(body, "xs");

/**
 * What a proposer is shown of a reply at a grammar level: its form, with the program and inputs left for it to
 * write. A concrete example is copied: SmolLM2-135M, 24 arithmetic proposals at temperature 0.8, copied one of
 * four examples 20 times (3 valid); shown this form it wrote 23 valid proposals, 19 of them distinct.
 */
export const LEVEL_FORMS: Record<GrammarLevel, Record<Mode, ExampleProposal>> = {
  arithmetic: {
    deduction: form("deduction", fn("<arithmetic on x>"), [["<a whole number>"]]),
    abduction: form("abduction", fn("<arithmetic on x>"), [["<a whole number>"]]),
    induction: form("induction", fn("<arithmetic on x>"), [["<a whole number>"], ["<another>"], ["<another>"], ["<another>"]], "<a few words about f>"),
  },
  lists: {
    deduction: form("deduction", list("xs<one or two list methods>"), [[["<whole numbers>"]]]),
    abduction: form("abduction", list("xs<one or two list methods>"), [[["<whole numbers>"]]]),
    induction: form("induction", list("xs<one or two list methods>"), [[["<whole numbers>"]], [["<others>"]], [["<others>"]], [["<others>"]]], "<a few words about f>"),
  },
};

function form(mode: Mode, program: string, inputs: unknown[][], hint = ""): ExampleProposal {
  return { reasoning: "<what f does>", mode, program, inputs: inputs as ExampleProposal["inputs"], hint };
}

export const LEVEL_ANSWERS: Record<GrammarLevel, Record<Mode, ExampleAnswer>> = {
  arithmetic: {
    deduction: {
      view: { mode: "deduction", program: fn("x * 3 - 1"), input: [4] },
      reply: { reasoning: "x is 4, so x * 3 - 1 is 4 * 3 - 1 = 11", answer: { output: 11 }, cites: [] },
    },
    abduction: {
      view: { mode: "abduction", program: fn("x * 3 - 1"), output: 11 },
      reply: { reasoning: "x * 3 - 1 must be 11, so x * 3 is 12 and x is 4", answer: { input: [4] }, cites: [] },
    },
    induction: {
      view: { mode: "induction", hint: "multiplies, then subtracts", examples: [{ input: [1], output: 2 }, { input: [2], output: 5 }, { input: [5], output: 14 }] },
      reply: { reasoning: "each step of x adds 3, and f(1) = 2 = 1 * 3 - 1, so x * 3 - 1", answer: { program: fn("x * 3 - 1") }, cites: [] },
    },
  },
  lists: {
    deduction: {
      view: { mode: "deduction", program: list("xs.filter(x => x > 3)"), input: [[5, 2, 8, 1]] },
      reply: { reasoning: "xs is [5, 2, 8, 1]; the numbers above 3 are 5 and 8, so [5, 8]", answer: { output: [5, 8] }, cites: [] },
    },
    abduction: {
      view: { mode: "abduction", program: list("xs.filter(x => x > 3).length"), output: 2 },
      reply: { reasoning: "I need a list with exactly two numbers above 3: [5, 8, 1] has 5 and 8", answer: { input: [[5, 8, 1]] }, cites: [] },
    },
    induction: {
      view: { mode: "induction", hint: "keeps some numbers", examples: [{ input: [[5, 2, 8, 1]], output: [5, 8] }, { input: [[4, 4, 0]], output: [4, 4] }] },
      reply: { reasoning: "only the numbers above 3 stay: 5 and 8, then 4 and 4", answer: { program: list("xs.filter(x => x > 3)") }, cites: [] },
    },
  },
};

/** What a proposer is shown as its example reply: the open game's worked example, or a grammar level's form. */
export function proposalExample(level: Level, mode: Mode): ExampleProposal {
  return level === "free" ? EXAMPLE_PROPOSALS[mode] : LEVEL_FORMS[level][mode];
}

export function answerExample(level: Level, mode: Mode): ExampleAnswer {
  return level === "free" ? EXAMPLE_ANSWERS[mode] : LEVEL_ANSWERS[level][mode];
}

/**
 * A proposal is a copy when it repeats the open game's example with its inputs, or when a solver could answer it by
 * copying its own worked example: the deduction example's program and input, the abduction example's program
 * and an input its reply gives, the induction example's program with any inputs.
 */
export function isCopiedExample(mode: Mode, program: string, inputs: unknown): boolean {
  const text = oneLine(program);
  if (COPIED_PROPOSALS.has(JSON.stringify([text, inputs]))) return true;
  return SOLVER_EXAMPLES.some((example) => {
    if (example.view.mode !== mode) return false;
    const answer = example.reply.answer as { input?: unknown[]; program?: string };
    switch (example.view.mode) {
      case "deduction":
        return oneLine(example.view.program) === text && JSON.stringify([example.view.input]) === JSON.stringify(inputs);
      case "abduction":
        return oneLine(example.view.program) === text && JSON.stringify([answer.input]) === JSON.stringify(inputs);
      case "induction":
        return oneLine(answer.program ?? "") === text;
    }
  });
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

const COPIED_PROPOSALS = new Set<string>(
  Object.values(EXAMPLE_PROPOSALS).map((p) => JSON.stringify([oneLine(p.program), p.inputs])),
);

const SOLVER_EXAMPLES: ExampleAnswer[] = [...Object.values(LEVEL_ANSWERS).flatMap((modes) => Object.values(modes)), ...Object.values(EXAMPLE_ANSWERS)];
