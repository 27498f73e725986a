// One generation of the culture loop: propose → solve → verify → reward → write → (sleep) → (evaluate) →
// measure, then one durable commit of everything it produced. Calls of different agents run concurrently so
// the runtime batches them; everything written to the knowledge base is written in a fixed order.
import type { GenerationSummary } from "../report/runSummary";
import { learnabilityReward } from "./difficulty";
import type { LoopContext } from "./loopContext";
import type { Population } from "./population";
import { propose } from "./propose";
import { isSleepGeneration, sleep } from "./sleep";
import { recordAttempt, solve, type SolveOutcome } from "./solve";
import { writeNotes, type PlayedProblem } from "./writeNotes";

const REFUSED_KEPT = 50;

export interface GenerationResult {
  summary: Omit<GenerationSummary, "metrics" | "probeMetrics" | "evaluation" | "collapseAlarm" | "converging" | "collapseReasons" | "reuse" | "citationDepth" | "wallMs" | "modelBusyMs" | "phaseMs" | "completionTokens">;
  /** Learnability reward each proposer earned this generation. */
  rewards: Record<string, number>;
  /**
   * Refused proposals with their reason and what the check said (clipped), for the generation's record: the
   * first REFUSED_KEPT of them, so the record stays within the knowledge base's size bound; `invalidReasons`
   * counts them all, and every call is in calls.jsonl.
   */
  refused: Array<{ proposerId: string; reason: string; message: string }>;
}

export async function playGeneration(ctx: LoopContext, population: Population, generation: number): Promise<GenerationResult> {
  const { proposers, solvers } = population.roles(generation, ctx.config.population.proposers);

  ctx.progress.phase("proposing", proposers.length * ctx.config.problemsPerProposer);
  const proposals = await propose(ctx, proposers.map((m) => m.agent), generation);
  const problems = proposals.flatMap((p) => (p.problem && p.problemId ? [{ problemId: p.problemId, problem: p.problem, proposerId: p.proposerId }] : []));
  const invalidReasons: Record<string, number> = {};
  for (const p of proposals) if (p.invalidReason) invalidReasons[p.invalidReason] = (invalidReasons[p.invalidReason] ?? 0) + 1;

  ctx.progress.phase("solving", problems.length * solvers.length);
  const perSolver = await Promise.all(
    solvers.map(async ({ agent }) => {
      const outcomes: SolveOutcome[] = [];
      for (const task of problems) outcomes.push(await solve(ctx, agent, generation, { ...task, withKb: ctx.config.knowledgeBaseAccess }));
      return { agent, outcomes };
    }),
  );
  for (const { outcomes } of perSolver) for (const o of outcomes) recordAttempt(ctx, generation, o, { usedKb: ctx.config.knowledgeBaseAccess, heldOut: false });

  const rewards: Record<string, number> = {};
  for (const task of problems) {
    const attempts = perSolver.map((s) => s.outcomes.find((o) => o.problemId === task.problemId)!);
    const rate = attempts.filter((o) => o.correct).length / attempts.length;
    rewards[task.proposerId] = (rewards[task.proposerId] ?? 0) + learnabilityReward(rate, attempts.length);
  }
  const frontier = selfPlayFrontier(ctx, problems.map((t) => t.problemId), perSolver.flatMap((s) => s.outcomes), rewards);

  const played = new Map<string, PlayedProblem>(problems.map((t) => [t.problemId, { text: ctx.kb.get(t.problemId)!.text, problem: t.problem }]));
  ctx.progress.phase("writing notes", perSolver.filter((s) => s.outcomes.length > 0).length);
  const writing = await writeNotes(ctx, perSolver, played, generation);

  let chapters = 0;
  let archived = 0;
  if (isSleepGeneration(ctx, generation)) {
    // The librarian is the agent the ratings rate most able; ties go to the earliest.
    const librarian = [...population.all].sort((a, b) => ctx.ratings.abilityOf(b.agent.id) - ctx.ratings.abilityOf(a.agent.id))[0]!;
    ctx.progress.phase("consolidating");
    const slept = await sleep(ctx, librarian.agent, generation);
    chapters = slept.chapters;
    archived = slept.archived;
  }

  const allOutcomes = perSolver.flatMap((s) => s.outcomes);
  return {
    summary: {
      generation,
      level: ctx.level,
      proposals: proposals.length,
      validProposals: problems.length,
      invalidReasons,
      attempts: allOutcomes.length,
      solved: allOutcomes.filter((o) => o.correct).length,
      notesWritten: writing.written,
      notesRejected: writing.rejected,
      chaptersWritten: chapters,
      archived,
      ...frontier,
    },
    rewards,
    refused: proposals
      .flatMap((p) => (p.invalidReason ? [{ proposerId: p.proposerId, reason: p.invalidReason, message: (p.invalidMessage ?? "").slice(0, 300) }] : []))
      .slice(0, REFUSED_KEPT),
  };
}

/**
 * The self-play figures the panel draws (GenerationSummary.learnability, proposedDifficulty, hardestSolved): the
 * mean learnability reward per valid problem, and Rasch difficulties (logits) as rated right after this
 * generation's play attempts. Absent when the generation had no valid problem (or, for hardestSolved, none solved).
 */
function selfPlayFrontier(ctx: LoopContext, problemIds: readonly string[], outcomes: readonly SolveOutcome[], rewards: Record<string, number>) {
  if (problemIds.length === 0) return {};
  const difficulty = problemIds.map((id) => ctx.ratings.difficultyOf(id));
  const solved = new Set(outcomes.filter((o) => o.correct).map((o) => o.problemId));
  const solvedDifficulty = problemIds.filter((id) => solved.has(id)).map((id) => ctx.ratings.difficultyOf(id));
  return {
    learnability: Object.values(rewards).reduce((a, b) => a + b, 0) / problemIds.length,
    proposedDifficulty: difficulty.reduce((a, b) => a + b, 0) / difficulty.length,
    ...(solvedDifficulty.length > 0 ? { hardestSolved: Math.max(...solvedDifficulty) } : {}),
  };
}
