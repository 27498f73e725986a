// What every step of a generation shares: the knowledge base, the sandbox, the run record, the configuration,
// the ratings, and `ask`, the single door through which the loop talks to an agent (so every call is recorded).
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import type { Entry } from "../../workspace-kb/schema";
import type { Sandbox } from "../sandbox/sandbox";
import type { BankProblem } from "../problems/bank";
import { seededRandom, type Random } from "../../workspace-kb/random";
import type { AgentReply, AgentRequest, LoopAgent, RetrievedNote } from "./agentPort";
import type { RaschRatings } from "./difficulty";
import type { LoopConfig } from "./loopConfig";
import type { ProgressTracker } from "./progress";
import type { RunRecorder } from "./runRecorder";
import { CultureLabError } from "../../workspace-kb/errors";
import { ROLE_BUDGETS } from "./roleBudgets";
import type { Level } from "./curriculum";

/**
 * How a solver finds entries for a query: the knowledge base's own search by default. Tests inject broken ones
 * (irrelevant entries, nothing) to check that the accumulation measure notices (mutation tests).
 */
export type Retrieval = (kb: KnowledgeBase, query: string, k: number) => Entry[];

export const searchRetrieval: Retrieval = (kb, query, k) => kb.search(query, { k, kinds: ["note", "chapter", "human"] }).map((hit) => hit.entry);

/**
 * What every step of a session reads. Everything but `usage` is fixed for the session: its dependencies (the
 * knowledge base, sandbox, record, configuration, bank) and the session's learned state, which steps update in
 * place (ratings, lastUsed). `usage` is the one per-generation part, replaced at each generation's start.
 */
export interface LoopContext {
  readonly kb: KnowledgeBase;
  readonly retrieval: Retrieval;
  readonly sandbox: Sandbox;
  readonly recorder: RunRecorder;
  readonly config: LoopConfig;
  readonly ratings: RaschRatings;
  readonly bank: BankProblem[];
  /** Documents from the user's corpus, mixed into what solvers read (an intervention; empty when off). */
  readonly externalText: string[];
  /** The run's seed; per-call randomness is derived from it and the call's identity (see `randomFor`). */
  readonly seed: number;
  /** The last generation in which each entry was retrieved or cited: what forgetting looks at. */
  readonly lastUsed: Map<string, number>;
  readonly signal: AbortSignal;
  /** The phase in play and its calls, for the person watching (see progress.ts). */
  readonly progress: ProgressTracker;
  /** Figures of the generation in play, replaced at its start (see `newUsage`). */
  usage: GenerationUsage;
  /** The curriculum level of the generation in play (curriculum.ts), set at its start. */
  level: Level;
}

export interface GenerationUsage {
  completionTokens: number;
  /** Prompt tokens of the generation's calls, counted in full (what decoding every prompt alone would cost). */
  promptTokens: number;
  /** Of those, the ones decoded; the rest were kept from an agent's previous call or copied from another agent's. */
  promptTokensEvaluated: number;
  promptTokensCopied: number;
  /**
   * Wall time during which at least one model call was in flight. Calls of different agents overlap, so
   * this is the union of their intervals, not their sum: wall time minus it is the loop's own overhead.
   */
  modelBusyMs: number;
  /** Wall time of the loop's own work by phase (verify, retrieval, commit, metrics); phases may overlap model calls. */
  phaseMs: Record<string, number>;
  inFlight: number;
  busySince: number;
}

export function newUsage(): GenerationUsage {
  return { completionTokens: 0, promptTokens: 0, promptTokensEvaluated: 0, promptTokensCopied: 0, modelBusyMs: 0, phaseMs: {}, inFlight: 0, busySince: 0 };
}

/** Runs `work` and adds its wall time to `phase`. */
export async function timed<T>(ctx: LoopContext, phase: string, work: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    ctx.usage.phaseMs[phase] = (ctx.usage.phaseMs[phase] ?? 0) + performance.now() - started;
  }
}

/** What a step asks of an agent; `shorter(level)` rebuilds the prompt with fewer or shorter notes (undefined: no shorter one). */
export type AskRequest = Omit<AgentRequest, "signal"> & { shorter?: (level: number) => string | undefined };

/**
 * The door for every model call. The role's token budget applies (roleBudgets.ts); a prompt over the agent's
 * context is rebuilt shorter and tried again rather than ending the session, and when nothing shorter is left
 * the call fails as "prompt-too-long" like any other bad reply; a reply cut at its budget before its JSON
 * closed ("truncated") is tried once more with the role's larger budget. Every attempt is recorded.
 */
export async function ask(ctx: LoopContext, agent: LoopAgent, generation: number, request: AskRequest): Promise<AgentReply> {
  const { shorter, ...call } = request;
  // The configuration's sampling.maxTokens caps every budget (a quick look, or the tiny model's noise, wants short replies).
  const cap = ctx.config.sampling.maxTokens;
  const role = ROLE_BUDGETS[request.role];
  const budget = { maxTokens: Math.min(call.maxTokens ?? role.maxTokens, cap), retryTokens: role.retryTokens === undefined ? undefined : Math.min(role.retryTokens, cap) };
  let attempt: Omit<AgentRequest, "signal"> = { ...call, maxTokens: budget.maxTokens };
  let level = 0;
  let retried = false;
  // The phase counts this one call however many attempts it takes, so "calls done" never passes the calls
  // expected (a truncated reply asked again was counted twice: "evaluating 127/120").
  try {
    return await askUntilDone();
  } finally {
    ctx.progress.callDone();
  }

  async function askUntilDone(): Promise<AgentReply> {
    for (;;) {
      let reply: AgentReply;
      try {
        reply = await askOnce(ctx, agent, generation, attempt);
      } catch (error) {
        if (!(error instanceof CultureLabError && error.code === "prompt-too-long")) throw error;
        const failed: AgentReply = { ok: false, reason: "prompt-too-long", message: error.message, text: "", usage: { promptTokens: 0, completionTokens: 0, ms: 0 } };
        record(ctx, agent, generation, attempt, failed);
        const next = shorter?.(++level);
        if (next === undefined) return failed;
        attempt = { ...attempt, prompt: next };
        continue;
      }
      if (!reply.ok && reply.reason === "truncated" && !retried && budget.retryTokens !== undefined && budget.retryTokens > budget.maxTokens && call.maxTokens === undefined) {
        retried = true;
        attempt = { ...attempt, maxTokens: budget.retryTokens };
        continue;
      }
      return reply;
    }
  }
}

async function askOnce(ctx: LoopContext, agent: LoopAgent, generation: number, request: Omit<AgentRequest, "signal">): Promise<AgentReply> {
  ctx.signal.throwIfAborted();
  const usage = ctx.usage;
  if (usage.inFlight++ === 0) usage.busySince = performance.now();
  let reply: AgentReply;
  try {
    reply = await agent.reply({ ...request, signal: ctx.signal });
  } finally {
    if (--usage.inFlight === 0) usage.modelBusyMs += performance.now() - usage.busySince;
  }
  usage.completionTokens += reply.usage.completionTokens;
  usage.promptTokens += reply.usage.promptTokens;
  usage.promptTokensEvaluated += reply.usage.promptTokensEvaluated ?? reply.usage.promptTokens;
  usage.promptTokensCopied += reply.usage.promptTokensCopied ?? 0;
  record(ctx, agent, generation, request, reply);
  return reply;
}

function record(ctx: LoopContext, agent: LoopAgent, generation: number, request: Omit<AgentRequest, "signal">, reply: AgentReply): void {
  ctx.recorder.record({
    generation,
    agentId: agent.id,
    role: request.role,
    prompt: request.prompt,
    // The budget this call had (the role's, not the agent's default), so a "truncated" outcome can be read.
    sampling: {
      ...agent.sampling,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }),
      ...(request.seed === undefined ? {} : { callSeed: request.seed }),
    },
    output: reply.text,
    outcome: reply.ok ? "ok" : reply.reason,
    promptTokens: reply.usage.promptTokens,
    ...(reply.usage.promptTokensEvaluated === undefined ? {} : { promptTokensEvaluated: reply.usage.promptTokensEvaluated, promptTokensCopied: reply.usage.promptTokensCopied ?? 0 }),
    completionTokens: reply.usage.completionTokens,
    ms: reply.usage.ms,
  });
}

/**
 * Notes, chapters and human notes a solver may read for `query`. `touch: false` (held-out evaluation) reads
 * without marking the entries used, so measuring does not change what sleep forgets.
 */
export function retrieve(ctx: LoopContext, query: string, generation: number, options: { touch?: boolean } = {}): RetrievedNote[] {
  if (!ctx.config.knowledgeBaseAccess || ctx.config.retrievalK === 0) return [];
  const notes = ctx.retrieval(ctx.kb, query, ctx.config.retrievalK).map((entry) => ({ id: entry.id, title: entry.title, text: entry.text }));
  if (options.touch !== false) for (const note of notes) ctx.lastUsed.set(note.id, generation);
  return notes;
}

/**
 * The external-text intervention: a document from the user's corpus for a solver working on `query`, or none.
 * It is independent of the knowledge base — the draw depends only on the query and generation — so both arms of
 * a held-out comparison read the same external document (or neither does) and the gain measures the KB alone.
 */
export function externalFor(ctx: LoopContext, query: string, generation: number): RetrievedNote[] {
  const { fraction } = ctx.config.interventions.externalText;
  if (ctx.externalText.length === 0 || fraction === 0) return [];
  const random = randomFor(ctx, "external", generation, query);
  if (random.next() >= fraction) return [];
  // External text has no id in the knowledge base, so it can be read but not cited.
  return [{ id: "external", title: "From outside the population", text: random.pick(ctx.externalText) }];
}

/** The ids a reply that was shown `notes` may cite: the knowledge base's, not the external text's (it has none). */
export function citableIds(notes: readonly RetrievedNote[]): string[] {
  return notes.filter((n) => n.id !== "external").map((n) => n.id);
}

/** Keeps only citations of entries that exist; the rest are counted, never stored (the KB refuses them). */
export function knownCitations(ctx: LoopContext, cites: unknown, generation: number, options: { touch?: boolean } = {}): { known: string[]; unknown: number } {
  const ids = Array.isArray(cites) ? cites.filter((c): c is string => typeof c === "string") : [];
  const known = [...new Set(ids)].filter((id) => ctx.kb.has(id));
  if (options.touch !== false) for (const id of known) ctx.lastUsed.set(id, generation);
  return { known, unknown: ids.length - known.length };
}

/**
 * A generator seeded by the run's seed and the identity of one decision. Agents' calls run concurrently and
 * finish in any order, so a shared stream would hand out numbers in a timing-dependent order and break replay.
 */
export function randomFor(ctx: Pick<LoopContext, "seed">, ...identity: Array<string | number>): Random {
  let hash = 0x811c9dc5 ^ ctx.seed;
  for (const char of identity.join("\u0000")) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return seededRandom(hash >>> 0);
}
