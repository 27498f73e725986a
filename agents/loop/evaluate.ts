// "Measuring accumulation causally": the current agents play the held-out bank (written by code, never shown in
// play; each problem by `answersPerProblem` of them) twice with the same sampler seed per (problem, agent) — with
// the knowledge base and without, the same external text (if that intervention is on) in both, no retrieval
// counted as a use — and answer fixed open prompts K times each (the collapse probe: does the population's
// repertoire narrow to a few jokes?).
import { generateBank, type BankProblem } from "../problems/bank";
import type { PureRunner } from "../sandbox/sandbox";
import type { LoopAgent } from "./agentPort";
import type { LoopConfig } from "./loopConfig";
import { ask, randomFor, type LoopContext } from "./loopContext";
import { notesWithin } from "./noteBudget";
import { probePrompt } from "./prompts";
import { NOTE_BUDGET_CHARS } from "./roleBudgets";
import { recordAttempt, solve, type SolveOutcome } from "./solve";

export interface HeldOutResult {
  agentId: string;
  problemId: string;
  withKb: boolean;
  solved: boolean;
}

/** The held-out bank a configuration deals: written by code from the seed, about `heldOutProblems` problems spread evenly over the five levels. */
export function heldOutBank(sandbox: PureRunner, config: Pick<LoopConfig, "seed" | "evaluation">): Promise<BankProblem[]> {
  return generateBank(sandbox, { seed: config.seed, perLevel: Math.ceil(config.evaluation.heldOutProblems / 5) });
}

export async function evaluateHeldOut(ctx: LoopContext, solvers: LoopAgent[], generation: number): Promise<HeldOutResult[]> {
  const conditions = ctx.config.knowledgeBaseAccess ? [true, false] : [false];
  const perAgent = await Promise.all(
    solvers.map(async (agent, slot) => {
      const outcomes: Array<{ withKb: boolean; outcome: SolveOutcome; sameCall: boolean }> = [];
      for (const item of heldOutShare(ctx.bank, slot, solvers.length, ctx.config.evaluation.answersPerProblem)) {
        // One sampler seed per (problem, agent, generation), shared by both arms: they differ only by the notes.
        const seed = randomFor(ctx, "held-out seed", generation, agent.id, item.id).below(0x1_0000_0000);
        for (const withKb of conditions) {
          const withKbOutcome = outcomes.at(-1);
          // When the with-KB answer read nothing from the knowledge base, the without-KB prompt is the same prompt
          // with the same seed: the same call. Its answer is taken once (the knowledge base is often empty early
          // on, and with a small model an evaluation is most of a session's calls).
          if (!withKb && withKbOutcome?.withKb && withKbOutcome.outcome.problemId === item.id && !withKbOutcome.outcome.notes.some((n) => n.id !== "external")) {
            outcomes.push({ withKb, outcome: withKbOutcome.outcome, sameCall: true });
            ctx.progress.callDone();
            continue;
          }
          outcomes.push({ withKb, outcome: await solve(ctx, agent, generation, { problemId: item.id, problem: item.problem, withKb, heldOut: true, seed }), sameCall: false });
        }
      }
      return outcomes;
    }),
  );
  const results: HeldOutResult[] = [];
  for (const { withKb, outcome, sameCall } of perAgent.flat()) {
    recordAttempt(ctx, generation, outcome, { usedKb: withKb, heldOut: true, sameCallAsWithKb: sameCall });
    results.push({ agentId: outcome.solverId, problemId: outcome.problemId, withKb, solved: outcome.correct });
  }
  return results;
}

/**
 * The held-out problems the agent in `slot` answers: problem i goes to the `answersPerProblem` agents from slot
 * i mod n on, so each agent gets an equal share and every problem its number of answers. Problems vary far more
 * than samples of one model do, so the bank's size, not answers per problem, buys most of the interval's width.
 */
export function heldOutShare<T>(bank: readonly T[], slot: number, agents: number, answersPerProblem: number): T[] {
  const answers = Math.min(answersPerProblem, agents);
  return bank.filter((_, i) => (((slot - i) % agents) + agents) % agents < answers);
}

/** Held-out answers of one evaluation (an answer read nothing from the knowledge base serves both arms). */
export function heldOutCalls(config: LoopConfig, bankSize: number, agents: number): { low: number; high: number } {
  const answers = bankSize * Math.min(config.evaluation.answersPerProblem, agents);
  return { low: answers, high: answers * (config.knowledgeBaseAccess ? 2 : 1) };
}

/** Probe answers of one evaluation: every agent answers every probe prompt `probeSamples` times. */
export function probeCalls(config: LoopConfig, agents: number): number {
  return agents * config.evaluation.probePrompts.length * config.evaluation.probeSamples;
}

/** The session's n-th generation (1-based) is evaluated every `evaluation.every` generations and at the end. */
export function isEvaluationGeneration(config: LoopConfig, ordinal: number): boolean {
  return ordinal % config.evaluation.every === 0 || ordinal === config.generations;
}

/** The probe's answers, one text per (agent, prompt, sample), in a fixed order; failed calls give no text. */
export async function probe(ctx: LoopContext, agents: LoopAgent[], generation: number): Promise<string[]> {
  const { probePrompts, probeSamples } = ctx.config.evaluation;
  // The probe reads the culture: the newest notes and chapters (open prompts like "Tell me a joke." match no note
  // by their words), not counted as uses, like all of evaluation. So a narrowing of what the population writes
  // shows in what it answers. None in a control run, where nobody reads the knowledge base.
  const culture = ctx.config.knowledgeBaseAccess && ctx.config.retrievalK > 0
    ? ctx.kb.entries({ kinds: ["note", "chapter", "human"] }).slice(-ctx.config.retrievalK).reverse().map((e) => ({ id: e.id, title: e.title, text: e.text }))
    : [];
  const shown = notesWithin(culture, NOTE_BUDGET_CHARS.probe) ?? [];
  const probeNotes = new Map(probePrompts.map((p) => [p, shown]));
  const perAgent = await Promise.all(
    agents.map(async (agent) => {
      const texts: string[] = [];
      for (const prompt of probePrompts) {
        for (let sample = 0; sample < probeSamples; sample++) {
          const notes = probeNotes.get(prompt) ?? [];
          const reply = await ask(ctx, agent, generation, { role: "probe", prompt: probePrompt(prompt, notes), schema: null, facts: { prompt, sample, generation, notes }, maxTokens: 96 });
          if (reply.ok) texts.push(reply.text);
        }
      }
      return texts;
    }),
  );
  return perAgent.flat();
}
