// One worked example per mode of a proposal and of an answer, written once and shown in every prompt that
// asks for one (AZR shows reference programs to its proposer; small instruct models copy a shape far more
// reliably than they follow a description of it). The deduction and abduction examples take a list as their
// one argument, the shape models most often get wrong: `inputs` holds calls, a call holds arguments, the
// argument is a list — three brackets. test/loop/fewShot.test.ts runs every example through the game's doors.
import type { Json } from "../sandbox/sandbox";
import type { SolverView } from "../problems/problem";
import type { Mode } from "../problems/schemas";

export interface ExampleProposal {
  reasoning: string;
  mode: Mode;
  program: string;
  inputs: Json[][];
  hint: string;
}

export const EXAMPLE_PROPOSALS: Record<Mode, ExampleProposal> = {
  deduction: {
    reasoning: "f sums the even numbers of a list. f takes one argument, a list, so the one call is [[3, 8, 1, 4]] and inputs is [[[3, 8, 1, 4]]].",
    mode: "deduction",
    program: "function f(xs) {\n  return xs.filter((x) => x % 2 === 0).reduce((a, b) => a + b, 0);\n}",
    inputs: [[[3, 8, 1, 4]]],
    hint: "",
  },
  abduction: {
    reasoning: "f gives the spread of a list (largest minus smallest); many lists give the same spread, so the solver must search. One call with one list argument: [[[2, 9, 4]]].",
    mode: "abduction",
    program: "function f(xs) {\n  return Math.max(...xs) - Math.min(...xs);\n}",
    inputs: [[[2, 9, 4]]],
    hint: "",
  },
  induction: {
    reasoning: "f multiplies each element by its position. Six calls with different lists give different outputs; half are shown, half check the solver's f.",
    mode: "induction",
    program: "function f(xs) {\n  return xs.map((x, i) => x * i);\n}",
    inputs: [[[1, 2, 3]], [[4, 0, 5]], [[2, 2]], [[7, 1, 1]], [[5]], [[3, 3, 3, 3]]],
    hint: "each element is combined with its position",
  },
};

export interface ExampleAnswer {
  view: SolverView;
  reply: { reasoning: string; answer: Json; cites: string[] };
}

export const EXAMPLE_ANSWERS: Record<Mode, ExampleAnswer> = {
  deduction: {
    view: { mode: "deduction", program: EXAMPLE_PROPOSALS.deduction.program, input: [[3, 8, 1, 4]] },
    reply: { reasoning: "The even numbers of [3, 8, 1, 4] are 8 and 4. 8 + 4 = 12.", answer: { output: 12 }, cites: [] },
  },
  abduction: {
    view: { mode: "abduction", program: EXAMPLE_PROPOSALS.abduction.program, output: 7 },
    reply: {
      reasoning: "I need max - min = 7. The list [1, 8] gives 8 - 1 = 7. f takes one argument, a list, so input holds that one list: [[1, 8]].",
      answer: { input: [[1, 8]] },
      cites: [],
    },
  },
  induction: {
    view: {
      mode: "induction",
      hint: EXAMPLE_PROPOSALS.induction.hint,
      examples: [
        { input: [[1, 2, 3]], output: [0, 2, 6] },
        { input: [[4, 0, 5]], output: [0, 0, 10] },
        { input: [[2, 2]], output: [0, 2] },
      ],
    },
    reply: {
      reasoning: "[1, 2, 3] -> [0, 2, 6]: 1*0, 2*1, 3*2. [4, 0, 5] -> [0, 0, 10]: 4*0, 0*1, 5*2. Each element times its index.",
      answer: { program: "function f(xs) {\n  return xs.map((x, i) => x * i);\n}" },
      cites: [],
    },
  },
};
