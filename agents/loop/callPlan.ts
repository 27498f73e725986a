// How many model calls a session will make, from its configuration alone, said before it starts: with a real
// model a call takes seconds, and a person deciding whether to start a run needs to know that evaluation (the
// whole held-out bank, each problem by every agent, up to twice) usually costs more than play.
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
  for (let n = 1; n <= config.generations; n++) if (n % config.evaluation.every === 0 || n === config.generations) evaluations++;
  const bank = Math.ceil(config.evaluation.heldOutProblems / 5) * 5;
  const probe = size * config.evaluation.probePrompts.length * config.evaluation.probeSamples;
  const arms = config.knowledgeBaseAccess ? 2 : 1;
  return { play, evaluations, evaluationLow: evaluations * (bank * size + probe), evaluationHigh: evaluations * (bank * size * arms + probe) };
}

export function describePlan(config: LoopConfig): string {
  const p = planCalls(config);
  const evaluation = p.evaluationLow === p.evaluationHigh ? `${p.evaluationLow}` : `${p.evaluationLow}–${p.evaluationHigh}`;
  return `Plan: ${config.generations} generation${config.generations === 1 ? "" : "s"} of ${config.population.size} agents — at most ${p.play} calls in play (a reply cut at its budget is asked once more), and ${evaluation} in ${p.evaluations} held-out evaluation${p.evaluations === 1 ? "" : "s"} (${Math.ceil(config.evaluation.heldOutProblems / 5) * 5} problems × ${config.population.size} agents${config.knowledgeBaseAccess ? ", asked twice when the knowledge base gave the answer something to read" : ""}, plus the probe).`;
}
