// Steps 2 and 3, "Solve" and "Verify": a solver reads notes (when it has access), answers in JSON, and the
// sandbox checks the answer by execution. No model ever judges another's answer.
import { checkSolverReply, readSolverReply } from "../problems/solverReply";
import type { Problem } from "../problems/problem";
import { solverView } from "../problems/problem";
import type { LoopAgent, RetrievedNote } from "./agentPort";
import { ask, citableIds, externalFor, knownCitations, retrieve, timed, type LoopContext } from "./loopContext";
import { solverPrompt, solverSchema, statement } from "./prompts";
import { LEVEL_SPECS, problemLevel } from "./curriculum";
import { notesWithin } from "./noteBudget";
import { NOTE_BUDGET_CHARS } from "./roleBudgets";

export interface SolveOutcome {
  solverId: string;
  problemId: string;
  correct: boolean;
  /** Why the answer failed: "wrong", a sandbox reason, or the model output's failure. */
  why: string;
  /** What the sandbox or the output check said about a failed answer; empty when it was right. */
  verdict: string;
  /** The whole reply as the model wrote it. */
  answer: string;
  /** The answer part of the reply, as JSON, for the writer's prompt; the reply itself when unreadable. */
  answerShown: string;
  cites: string[];
  unknownCites: number;
  notes: RetrievedNote[];
}

export async function solve(
  ctx: LoopContext,
  solver: LoopAgent,
  generation: number,
  /**
   * `heldOut`: an evaluation run — its retrievals and citations do not count as uses (forgetting is left as play
   * made it). `seed`: pins the sampler seed, so the two arms of a held-out pair draw alike.
   */
  task: { problemId: string; problem: Problem; withKb: boolean; heldOut?: boolean; seed?: number },
): Promise<SolveOutcome> {
  const view = solverView(task.problem);
  // The mode leads the query so notes about this kind of problem rank high, not only notes sharing its tokens.
  const query = `${view.mode} ${statement(view)}`;
  const touch = !task.heldOut;
  const kbNotes = task.withKb ? await timed(ctx, "retrieval", () => retrieve(ctx, query, generation, { touch })) : [];
  const notes = [...kbNotes, ...externalFor(ctx, query, generation)];
  const shown = (shorter: number) => notesWithin(notes, NOTE_BUDGET_CHARS.solver, shorter);
  const level = problemLevel(task.problem, ctx.level);
  const reply = await ask(ctx, solver, generation, {
    role: "solver",
    prompt: solverPrompt(view, shown(0)!, level),
    shorter: (shorter) => {
      const fewer = shown(shorter);
      return fewer && solverPrompt(view, fewer, level);
    },
    schema: solverSchema(task.problem.mode, task.problem, level, LEVEL_SPECS[ctx.level].reasoningChars, citableIds(notes)),
    facts: { problemId: task.problemId, view, notes, withKb: task.withKb, generation },
    seed: task.seed,
  });
  const base = { solverId: solver.id, problemId: task.problemId, answer: reply.text, notes };
  if (!reply.ok) return { ...base, correct: false, why: reply.reason, verdict: reply.message, answerShown: reply.text, cites: [], unknownCites: 0 };
  const read = readSolverReply(reply.value);
  const { known, unknown } = knownCitations(ctx, read.ok ? read.value.cites : [], generation, { touch });
  const verdict = await timed(ctx, "verify", () => checkSolverReply(ctx.sandbox, task.problem, reply.value));
  return {
    ...base,
    correct: verdict.correct,
    why: verdict.correct ? "" : verdict.reason,
    verdict: verdict.correct ? "" : verdict.message,
    answerShown: read.ok ? JSON.stringify(read.value.answer) : reply.text,
    cites: known,
    unknownCites: unknown,
  };
}

/** Records an outcome as an attempt in the knowledge base and in the ratings. */
export function recordAttempt(ctx: LoopContext, generation: number, outcome: SolveOutcome, extra: { usedKb: boolean; heldOut: boolean; sameCallAsWithKb?: boolean }): void {
  ctx.kb.recordAttempt({
    problemId: outcome.problemId,
    agentId: outcome.solverId,
    generation,
    answer: outcome.answer.slice(0, 10_000),
    correct: outcome.correct,
    cites: outcome.cites,
    usedKb: extra.usedKb,
    data: { why: outcome.why, heldOut: extra.heldOut, unknownCites: outcome.unknownCites, ...(extra.sameCallAsWithKb ? { sameCallAsWithKb: true } : {}) },
  });
  if (!extra.heldOut) ctx.ratings.record({ solverId: outcome.solverId, problemId: outcome.problemId, solved: outcome.correct });
}
