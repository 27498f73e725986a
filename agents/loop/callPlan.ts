// How many model calls a session will make, from its configuration alone, said before it starts: with a real
// model a call takes seconds, and a person deciding whether to start a run needs to know that evaluation (the
// whole held-out bank, each problem by every agent, up to twice) usually costs more than play.
import { heldOutCalls, isEvaluationGeneration, probeCalls } from "./evaluate";
import type { LoopConfig } from "./loopConfig";

export interface CallPlan {
  /** Proposals, solves and notes, at most (every proposal valid); chapters and retries of truncated replies aside. */
  play: number;
  evaluations: number;
  /** Held-out answers and probe answers over all evaluations: at least (one call serves both arms) and at most. */
  evaluationLow: number;
  evaluationHigh: number;
}

export function planCalls(config: LoopConfig): CallPlan {
  const size = config.population.size;
  const proposals = config.population.proposers * config.problemsPerProposer;
  const solvers = size - config.population.proposers;
  const play = config.generations * (proposals + proposals * solvers + solvers);
  let evaluations = 0;
  for (let n = 1; n <= config.generations; n++) if (isEvaluationGeneration(config, n)) evaluations++;
  const heldOut = heldOutCalls(config, bankSize(config), size);
  const probe = probeCalls(config, size);
  return { play, evaluations, evaluationLow: evaluations * (heldOut.low + probe), evaluationHigh: evaluations * (heldOut.high + probe) };
}

/** The held-out bank's size: equal numbers of problems per difficulty level (bank.ts). */
const bankSize = (config: LoopConfig) => Math.ceil(config.evaluation.heldOutProblems / 5) * 5;

function answers(config: LoopConfig): string {
  const n = Math.min(config.evaluation.answersPerProblem, config.population.size);
  return n === config.population.size ? `each answered by all ${n} agents` : `each answered by ${n} of the ${config.population.size} agents`;
}

export function describePlan(config: LoopConfig): string {
  const p = planCalls(config);
  const evaluation = p.evaluationLow === p.evaluationHigh ? `${p.evaluationLow}` : `${p.evaluationLow}–${p.evaluationHigh}`;
  return `Plan: ${config.generations} generation${config.generations === 1 ? "" : "s"} of ${config.population.size} agents — at most ${p.play} calls in play (a reply cut at its budget is asked once more), and ${evaluation} in ${p.evaluations} held-out evaluation${p.evaluations === 1 ? "" : "s"} (${bankSize(config)} problems, ${answers(config)}${config.knowledgeBaseAccess ? ", asked twice when the knowledge base gave the answer something to read" : ""}, plus the probe).`;
}
