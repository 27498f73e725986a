// The held-out bank: problems written by code, never by agents, to measure the population without letting it
// study for the test. A problem of difficulty d chains d primitives (primitives.ts); everything is drawn from
// one seeded generator, so a seed fixes the bank, and every problem passes the same validation as an agent's
// proposal (run twice in the sandbox) before it is kept.
import { DEFAULT_LIMITS } from "../sandbox/sandbox";
import type { Json, PureRunner, SandboxLimits } from "../sandbox/sandbox";
import { canonicalJson } from "./canonicalJson";
import { describeType, PRIMITIVES, randomValue } from "./primitives";
import type { Primitive, ValueType } from "./primitives";
import type { Problem } from "./problem";
import { seededRandom } from "../../workspace-kb/random";
import type { Random } from "../../workspace-kb/random";
import { MODES } from "./schemas";
import type { Mode, Proposal } from "./schemas";
import { validateProposal } from "./validateProposal";

export interface BankOptions {
  seed: number;
  /** Problems per difficulty level. */
  perLevel: number;
  /** Difficulty levels = composition depths; default 1..5. */
  levels?: number[];
  /** Modes cycled through within a level; default all three. */
  modes?: readonly Mode[];
}

export interface BankProblem {
  id: string;
  difficulty: number;
  problem: Problem;
}

const INDUCTION_CALLS = 6;
const EMPTY = new Set(["[]", '""', "{}"]);
const ATTEMPTS_PER_PROBLEM = 200;
// Generous, so a busy machine cannot time out a candidate and thereby change which problems a seed gives.
const GENERATION_LIMITS: SandboxLimits = { ...DEFAULT_LIMITS, timeoutMs: 2000 };

export async function generateBank(sandbox: PureRunner, options: BankOptions): Promise<BankProblem[]> {
  const levels = options.levels ?? [1, 2, 3, 4, 5];
  const modes = options.modes ?? MODES;
  const random = seededRandom(options.seed);
  const bank: BankProblem[] = [];
  for (const difficulty of levels) {
    for (let i = 0; i < options.perLevel; i++) {
      const mode = modes[i % modes.length]!;
      bank.push({
        id: `bank-${options.seed}-d${difficulty}-${i}`,
        difficulty,
        problem: await drawValidProblem(sandbox, random, mode, difficulty),
      });
    }
  }
  return bank;
}

async function drawValidProblem(sandbox: PureRunner, random: Random, mode: Mode, difficulty: number): Promise<Problem> {
  for (let attempt = 0; attempt < ATTEMPTS_PER_PROBLEM; attempt++) {
    const candidate = composeProposal(random, mode, difficulty);
    const verdict = await validateProposal(sandbox, candidate, GENERATION_LIMITS);
    if (verdict.ok && informative(verdict.problem)) return verdict.problem;
  }
  // Only reachable if the primitives themselves are broken: a programming error, not bad input.
  throw new Error(`no valid ${mode} problem of difficulty ${difficulty} in ${ATTEMPTS_PER_PROBLEM} attempts`);
}

/**
 * An empty output ([], "", {}) tells a solver little and makes abduction trivial; induction also needs distinct
 * inputs and outputs that vary, since a constant function teaches nothing.
 */
function informative(problem: Problem): boolean {
  if (problem.examples.some((e) => EMPTY.has(canonicalJson(e.output)))) return false;
  if (problem.mode !== "induction") return true;
  const inputs = new Set(problem.examples.map((e) => canonicalJson(e.input)));
  const outputs = new Set(problem.examples.map((e) => canonicalJson(e.output)));
  return inputs.size === problem.examples.length && outputs.size > 1;
}

export function composeProposal(random: Random, mode: Mode, depth: number): Proposal {
  const inputType = random.pick<ValueType>(["int", "ints", "str"]);
  const steps: Primitive[] = [];
  const lines: string[] = [];
  let type = inputType;
  let previous = "x";
  for (let step = 1; step <= depth; step++) {
    const primitive = random.pick(PRIMITIVES.filter((p) => p.from === type));
    const k = primitive.k ? drawConstant(random, primitive.k, primitive.kNot) : 0;
    const expr = primitive.expr.split("$").join(previous).replace(/\bK\b/g, () => String(k));
    lines.push(`  const s${step} = ${expr};`);
    previous = `s${step}`;
    type = primitive.to;
    steps.push(primitive);
  }
  const program = `function f(x) {\n${lines.join("\n")}\n  return ${previous};\n}`;
  const calls = mode === "induction" ? INDUCTION_CALLS : 1;
  const inputs: Json[][] = Array.from({ length: calls }, () => [randomValue(inputType, random)]);
  const hint =
    mode === "induction"
      ? `f takes ${describeType(inputType)} and returns ${describeType(type)}; in ${depth} step(s) it ${steps.map((s) => s.says).join(", then ")}.`
      : "";
  return { mode, program, inputs, hint };
}

/** Uniform over the range without `not` (one draw either way, so the rest of the bank is drawn the same). */
function drawConstant(random: Random, [low, high]: [number, number], not?: number): number {
  if (not === undefined || not < low || not > high) return random.int(low, high);
  const k = random.int(low, high - 1);
  return k >= not ? k + 1 : k;
}
