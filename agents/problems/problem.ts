// A verified problem of the self-play game (Absolute Zero, Zhao et al. 2025): a pure function f and calls of
// it whose outputs the sandbox computed. Deduction shows f and one input (predict the output); abduction shows
// f and one output (find an input); induction shows some input/output pairs and a hint (write f), and keeps
// the rest back to check the answer.
import type { Json } from "../sandbox/sandbox";
import type { Mode } from "./schemas";

/** The function name every program of the game defines. */
export const FN = "f";

export interface Example {
  input: Json[];
  output: Json;
}

export interface Problem {
  mode: Mode;
  program: string;
  hint: string;
  /** Every call with the output the sandbox computed; for induction the last `heldOut` are held back. */
  examples: Example[];
  heldOut: number;
}

/** What a solver is shown: never the held-back pairs, never the answer. */
export type SolverView =
  | { mode: "deduction"; program: string; input: Json[] }
  | { mode: "abduction"; program: string; output: Json }
  | { mode: "induction"; hint: string; examples: Example[] };

export function solverView(problem: Problem): SolverView {
  const first = problem.examples[0]!;
  switch (problem.mode) {
    case "deduction":
      return { mode: "deduction", program: problem.program, input: first.input };
    case "abduction":
      return { mode: "abduction", program: problem.program, output: first.output };
    case "induction":
      return { mode: "induction", hint: problem.hint, examples: shownExamples(problem) };
  }
}

export function shownExamples(problem: Problem): Example[] {
  return problem.examples.slice(0, problem.examples.length - problem.heldOut);
}

export function heldOutExamples(problem: Problem): Example[] {
  return problem.examples.slice(problem.examples.length - problem.heldOut);
}
