// The steps of a session's generation after play, in order: evaluate if due, measure, turn over, record, commit.
// What the measures carry from one generation to the next (the notes window, the collapse watch, the ratchet)
// lives in `SessionMeasures`; everything else a step reads is the session's context.
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { computeMetrics, type MetricKey } from "../../workspace-kb/metrics/computeMetrics";
import { MetricsWindow } from "../../workspace-kb/metrics/metricsWindow";
import type { RateTally } from "../../workspace-kb/metrics/ratchetDrift";
import type { Json } from "../sandbox/sandbox";
import type { GenerationSummary } from "../report/runSummary";
import { lineageFigures, summarizeEvaluation } from "./accumulation";
import { CollapseWatch, type CollapseState } from "./collapseWatch";
import { evaluateHeldOut, heldOutCalls, isEvaluationGeneration, probe, probeCalls } from "./evaluate";
import type { LoopConfig } from "./loopConfig";
import { timed } from "./loopContext";
import type { GenerationResult } from "./playGeneration";
import type { OnNotice } from "./notice";
import type { StartedSession } from "./sessionStart";

/** The metrics computed over the notes window and the probe answers each generation. */
const TRACKED: MetricKey[] = ["distinct_1", "distinct_2", "compression_ratio", "self_bleu_4", "vendi_ngram", "near_duplicate_rate"];

/** What the session's measures remember between generations. */
export class SessionMeasures {
  readonly notesWindow: MetricsWindow;
  readonly collapse: CollapseWatch;
  /** Best with-knowledge-base solve rate so far, and the with-KB tallies of every evaluation (for its null drift). */
  ratchet = Number.NEGATIVE_INFINITY;
  readonly withKbTallies: RateTally[] = [];

  constructor(kb: KnowledgeBase, config: LoopConfig) {
    this.notesWindow = new MetricsWindow({ size: config.notesWindow, kernelSize: config.notesWindow, seed: config.seed });
    // Chapters consolidate notes and so repeat them by design: the diversity window holds notes only.
    this.notesWindow.add(kb.entries({ kinds: ["note", "human"] }).slice(-config.notesWindow).map((e) => e.text));
    this.collapse = new CollapseWatch(config, config.seed);
  }
}

export interface Evaluated {
  evaluation?: GenerationSummary["evaluation"];
  probeMetrics?: Record<string, number>;
  /** The probe's answers, for the collapse watch. */
  answers?: string[];
}

/** On an evaluation generation: the held-out bank with and without the knowledge base, then the probe. */
export async function evaluateIfDue(session: StartedSession, measures: SessionMeasures, generation: number): Promise<Evaluated> {
  const { ctx, population, first } = session;
  const { config } = ctx;
  if (!isEvaluationGeneration(config, generation - first + 1)) return {};
  const solvers = population.all.map((m) => m.agent);
  ctx.progress.phase("evaluating", heldOutCalls(config, ctx.bank.length, solvers.length).high);
  const results = await evaluateHeldOut(ctx, solvers, generation);
  const evaluation = summarizeEvaluation(results, generation, measures.ratchet, config.seed + generation, measures.withKbTallies);
  measures.ratchet = evaluation.ratchet;
  ctx.progress.phase("probing", probeCalls(config, solvers.length));
  const answers = await probe(ctx, solvers, generation);
  const probeMetrics = answers.length >= 2 ? await timed(ctx, "metrics", () => computeMetrics(answers, { metrics: TRACKED })) : undefined;
  return { evaluation, probeMetrics, answers };
}

export interface Measured extends CollapseState {
  /** Diversity of the notes window (empty until it holds two notes). */
  metrics: Record<string, number>;
  reuse: number;
  citationDepth: number;
}

/** The generation's new notes into the diversity window and the collapse watch; lineage of what it wrote. */
export async function measure(session: StartedSession, measures: SessionMeasures, generation: number, notesBefore: ReadonlySet<string>, answers: string[] | undefined): Promise<Measured> {
  const { ctx } = session;
  const newNotes = noteTexts(ctx.kb).filter((e) => !notesBefore.has(e.id)).map((e) => e.text);
  const window = await timed(ctx, "metrics", () => measures.notesWindow.add(newNotes));
  const metrics = measures.notesWindow.windowDocuments.length >= 2 ? Object.fromEntries(TRACKED.map((k) => [k, window[k]!])) : {};
  const collapseState = await timed(ctx, "metrics", () => measures.collapse.observe(generation, newNotes, answers));
  const lineage = lineageFigures(ctx.kb.entries({ kinds: ["note", "chapter", "human"], includeArchived: true }), generation);
  return { metrics, ...collapseState, ...lineage };
}

/** Notes and human notes, archived ones included: what a generation added is told by their ids. */
export function noteTexts(kb: KnowledgeBase): Array<{ id: string; text: string }> {
  return kb.entries({ kinds: ["note", "human"], includeArchived: true });
}

/** Every `turnover.every` generations (not after the last) the oldest agents retire and fresh ones are seated. */
export async function turnOver(session: StartedSession, generation: number): Promise<void> {
  const { ctx, population, first, model } = session;
  const { config, kb } = ctx;
  const last = generation === first + config.generations - 1;
  if (config.turnover.every === 0 || (generation - first + 1) % config.turnover.every !== 0 || last) return;
  const retired = population.retireOldest(Math.max(1, Math.round(config.population.size * config.turnover.fraction)));
  for (const m of retired) kb.upsertAgent({ id: m.agent.id, persona: m.agent.persona, seed: m.agent.seed, model: m.agent.modelName ?? model.name, bornGeneration: m.bornGeneration, retiredGeneration: generation });
  for (const m of retired) await m.agent.dispose?.();
  for (const m of await population.fill(config.population.size, generation + 1)) {
    kb.upsertAgent({ id: m.agent.id, persona: m.agent.persona, seed: m.agent.seed, model: m.agent.modelName ?? model.name, bornGeneration: generation + 1 });
  }
  const agents = await session.describeAgents();
  if (agents) ctx.recorder.recordAgents(agents);
}

/** The generation's record and metric snapshots, staged in the knowledge base for the commit. */
export function recordGeneration(session: StartedSession, generation: number, startedAt: string, summary: GenerationSummary, played: GenerationResult): void {
  const { kb, config } = session.ctx;
  kb.recordGeneration({ generation, startedAt, endedAt: new Date().toISOString(), data: asJson({ runId: session.runId, ...summary, rewards: played.rewards, refused: played.refused }) });
  if (Object.keys(summary.metrics).length > 0) kb.recordMetrics({ generation, window: `notes-last-${config.notesWindow}`, values: finite(summary.metrics) });
  if (summary.probeMetrics) kb.recordMetrics({ generation, window: "probe", values: finite(summary.probeMetrics) });
}

/**
 * The generation's one durable commit, then the run record flushed. Human notes NOTES.md could not give the
 * agents are said once per session (`said` remembers them); NOTES.md keeps saying it until it is fixed.
 */
export async function commitGeneration(session: StartedSession, said: Set<string>, onNotice?: OnNotice): Promise<void> {
  const { ctx } = session;
  await timed(ctx, "commit", async () => {
    const receipt = await ctx.kb.commitRound();
    ctx.recorder.flush();
    for (const note of receipt.humanNotesRefused) {
      const key = `${note.line}\u0000${note.title}\u0000${note.reason}`;
      if (said.has(key)) continue;
      said.add(key);
      onNotice?.(`NOTES.md line ${note.line}, human note "${note.title}" was not given to the agents: ${note.reason}.`);
    }
  });
}

/** The generation record as stored JSON: unmeasured figures (undefined, NaN) become absent or null, never 0. */
function asJson(value: object): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Metric snapshots store numbers only; NaN (e.g. too few documents) is left out rather than invented. */
function finite(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
}
