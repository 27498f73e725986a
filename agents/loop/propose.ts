// Step 1, "Propose": proposers write problems; only those the sandbox validates become problems in the
// knowledge base. Invalid proposals are counted by reason (and every call is in the run record).
import type { Entry } from "../../workspace-kb/schema";
import { CultureLabError } from "../../workspace-kb/errors";
import type { Problem } from "../problems/problem";
import { solverView } from "../problems/problem";
import { MODES, type Mode } from "../problems/schemas";
import { validateProposal } from "../problems/validateProposal";
import type { LoopAgent } from "./agentPort";
import type { RetrievedNote } from "./agentPort";
import { ask, randomFor, retrieve, timed, type LoopContext } from "./loopContext";
import { notesWithin } from "./noteBudget";
import { NOTE_BUDGET_CHARS } from "./roleBudgets";

/** Notes a proposer reads about what was hard: a few, so the frontier and the examples keep the room. */
const PROPOSER_NOTES = 2;
import { proposerPrompt, proposerSchema, statement, type FrontierItem } from "./prompts";
import { isCopiedExample, proposalExample } from "./levelExamples";

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
  const context = { notes: hardNotes(ctx, mode, frontier, generation), rewards: recentRewards(ctx, agent.id) };
  const { level } = ctx;
  const example = proposalExample(level, mode);
  const reply = await ask(ctx, agent, generation, {
    role: "proposer",
    prompt: proposerPrompt(mode, frontier, seedWords, context, level, example),
    shorter: (shorter) => (shorter === 1 ? proposerPrompt(mode, frontier, seedWords, { rewards: context.rewards }, level, example) : undefined),
    schema: proposerSchema(mode, level),
    facts: { mode, level, frontier, generation, notes: context.notes, rewards: context.rewards },
    temperature: dreamt ? dreaming.temperature : undefined,
  });
  if (!reply.ok) return { proposerId: agent.id, invalidReason: reply.reason, invalidMessage: reply.message, dreamt };
  const verdict = await timed(ctx, "verify", () => validateProposal(ctx.sandbox, reply.value));
  if (!verdict.ok) return { proposerId: agent.id, invalidReason: verdict.reason, invalidMessage: verdict.message, dreamt };
  const { program, examples } = verdict.problem;
  if (isCopiedExample(mode, program, examples.map((e) => e.input))) {
    return { proposerId: agent.id, invalidReason: "copied-example", invalidMessage: "the proposal repeats a worked example of the prompts, which a solver could copy: write a problem of your own", dreamt };
  }
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
    // A valid program whose examples are too large to store is refused like any other invalid proposal; any
    // other failure of the knowledge base (a lost lock, a failed write) is not the proposal's fault.
    if (error instanceof CultureLabError && error.code === "kb-invalid-input") return { proposerId: outcome.proposerId, invalidReason: "too-large", invalidMessage: error.message, dreamt: outcome.dreamt };
    throw error;
  }
}

/**
 * Notes about what was hard, for a proposer: retrieved for the mode and the least-solved problems of the frontier
 * (none in the control condition, where nobody reads the knowledge base).
 */
function hardNotes(ctx: LoopContext, mode: Mode, frontier: FrontierItem[], generation: number): RetrievedNote[] {
  if (frontier.length === 0) return [];
  const hardest = [...frontier].sort((a, b) => a.solved / a.attempts - b.solved / b.attempts).slice(0, 2);
  const query = `${mode} ${hardest.map((f) => f.statement).join(" ")}`;
  return notesWithin(retrieve(ctx, query, generation).slice(0, PROPOSER_NOTES), NOTE_BUDGET_CHARS.proposer) ?? [];
}

/** The proposer's learnability rewards in its latest generations, from the knowledge base's generation records. */
function recentRewards(ctx: LoopContext, agentId: string): Array<{ generation: number; reward: number }> {
  const rewards: Array<{ generation: number; reward: number }> = [];
  for (const record of ctx.kb.generations()) {
    const reward = (record.data as { rewards?: Record<string, number> } | undefined)?.rewards?.[agentId];
    if (typeof reward === "number" && Number.isFinite(reward)) rewards.push({ generation: record.generation, reward });
  }
  return rewards.slice(-3);
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
