// Step 1, "Propose": proposers write problems; only those the sandbox validates become problems in the
// knowledge base. Invalid proposals are counted by reason (and every call is in the run record).
import type { Entry } from "../../workspace-kb/schema";
import { CultureLabError } from "../../workspace-kb/errors";
import type { Problem } from "../problems/problem";
import { solverView } from "../problems/problem";
import { MODES, type Mode } from "../problems/schemas";
import { validateProposal } from "../problems/validateProposal";
import type { LoopAgent } from "./agentPort";
import { ask, randomFor, timed, type LoopContext } from "./loopContext";
import { proposerPrompt, proposerSchema, statement, type FrontierItem } from "./prompts";

export interface ProposalOutcome {
  proposerId: string;
  problemId?: string;
  problem?: Problem;
  invalidReason?: string;
  /** What the validator or the model output check said, for the record. */
  invalidMessage?: string;
  dreamt: boolean;
}

const SEED_WORDS = ["river", "mirror", "ladder", "prime", "echo", "spiral", "harvest", "cipher", "orbit", "braid", "tide", "lantern", "fractal", "census", "relay", "quilt", "glacier", "token", "pulse", "meadow"];

export async function propose(ctx: LoopContext, proposers: LoopAgent[], generation: number): Promise<ProposalOutcome[]> {
  const frontier = currentFrontier(ctx);
  const perAgent = await Promise.all(
    proposers.map(async (agent, a) => {
      const drafts: ProposalOutcome[] = [];
      for (let i = 0; i < ctx.config.problemsPerProposer; i++) {
        const mode = MODES[(generation + a + i) % MODES.length]!;
        drafts.push(await draft(ctx, agent, generation, mode, i, frontier));
      }
      return drafts;
    }),
  );
  // Stored in proposer order once all replies are in, so entry ids do not depend on which call finished first.
  return perAgent.flat().map((outcome) => (outcome.problem ? store(ctx, outcome, generation) : outcome));
}

async function draft(ctx: LoopContext, agent: LoopAgent, generation: number, mode: Mode, index: number, frontier: FrontierItem[]): Promise<ProposalOutcome> {
  const { dreaming } = ctx.config.interventions;
  const random = randomFor(ctx, "dream", generation, agent.id, mode, index);
  const dreamt = dreaming.share > 0 && random.next() < dreaming.share;
  const seedWords = dreamt ? [random.pick(SEED_WORDS), random.pick(SEED_WORDS)] : undefined;
  const reply = await ask(ctx, agent, generation, {
    role: "proposer",
    prompt: proposerPrompt(mode, frontier, seedWords),
    schema: proposerSchema(mode),
    facts: { mode, frontier, generation },
    temperature: dreamt ? dreaming.temperature : undefined,
  });
  if (!reply.ok) return { proposerId: agent.id, invalidReason: reply.reason, invalidMessage: reply.message, dreamt };
  const verdict = await timed(ctx, "verify", () => validateProposal(ctx.sandbox, reply.value));
  if (!verdict.ok) return { proposerId: agent.id, invalidReason: verdict.reason, invalidMessage: verdict.message, dreamt };
  return { proposerId: agent.id, problem: verdict.problem, dreamt };
}

function store(ctx: LoopContext, outcome: ProposalOutcome, generation: number): ProposalOutcome {
  const problem = outcome.problem!;
  try {
    const entry = ctx.kb.addEntry({
      kind: "problem",
      author: outcome.proposerId,
      generation,
      title: `${problem.mode} problem`,
      text: statement(solverView(problem)),
      tags: [problem.mode, ...(outcome.dreamt ? ["dreamt"] : [])],
      data: { problem } as unknown as Entry["data"],
    });
    return { ...outcome, problemId: entry.id };
  } catch (error) {
    // A valid program whose examples are too large to store is refused like any other invalid proposal.
    if (error instanceof CultureLabError) return { proposerId: outcome.proposerId, invalidReason: "too-large", invalidMessage: error.message, dreamt: outcome.dreamt };
    throw error;
  }
}

/** Recent problems with their solve rates, hardest (by rating) first: what proposers are asked to go beyond. */
export function currentFrontier(ctx: LoopContext): FrontierItem[] {
  if (ctx.config.frontierSize === 0) return [];
  const problems = ctx.kb.entries({ kinds: ["problem"] }).slice(-4 * ctx.config.frontierSize);
  return problems
    .map((entry) => {
      const attempts = ctx.kb.attempts({ problemId: entry.id });
      return {
        mode: (entry.tags[0] ?? "deduction") as Mode,
        statement: entry.text,
        solved: attempts.filter((a) => a.correct).length,
        attempts: attempts.length,
        difficulty: ctx.ratings.difficultyOf(entry.id),
      };
    })
    .filter((item) => item.attempts > 0)
    .sort((a, b) => b.difficulty - a.difficulty)
    .slice(0, ctx.config.frontierSize)
    .map(({ difficulty: _, ...item }) => item);
}
