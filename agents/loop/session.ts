// A culture-loop session: opens the workspace's knowledge base (taking its lock), runs the configured
// generations, records every call and per-generation figures, and rewrites the run's HTML report after each. Every
// generation ends in one durable commit, so a session stopped at any point leaves an intact knowledge base.
// A generation: play, evaluate if due, measure, turn over, record, commit, report (generationSteps.ts).
import { dirname, join } from "node:path";
import { openKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { writeRunReport } from "../report/runReport";
import type { GenerationSummary, RunSummary } from "../report/runSummary";
import type { AgentFactory } from "./agentPort";
import { commitGeneration, evaluateIfDue, measure, noteTexts, recordGeneration, SessionMeasures, turnOver } from "./generationSteps";
import type { LoopConfig } from "./loopConfig";
import { newUsage, type Retrieval } from "./loopContext";
import { playGeneration } from "./playGeneration";
import { lastLevelRecord, levelFor } from "./curriculum";
import { SessionResources, startSession, type StartedSession } from "./sessionStart";
import type { SessionProgress } from "../report/sessionProgress";
import type { OnNotice } from "./notice";
import { newRunId } from "./runRecorder";

export interface SessionOptions {
  workspaceDir: string;
  config: LoopConfig;
  agents: AgentFactory;
  /** What the report says about the model; called once the agents (and so their models) are loaded. */
  describeModel: () => Promise<{ model: RunSummary["model"]; manifest: { models: unknown[]; versions: Record<string, string>; agents?: unknown[]; reproducibility?: string } }>;
  caveats?: string[];
  signal?: AbortSignal;
  /** Once the run's record exists: its id and the generations it will play. */
  onStarted?: (run: { runId: string; firstGeneration: number; generations: number; model: string }) => void;
  onGeneration?: (summary: GenerationSummary) => void;
  /** The phase in play, its calls and the time left: at every phase and after every call. */
  onProgress?: (progress: SessionProgress) => void;
  /** How solvers retrieve (default: the knowledge base's search); tests inject broken retrieval to see measures notice. */
  retrieval?: Retrieval;
  /** Something the user must read, e.g. a human note in NOTES.md the knowledge base could not take. */
  onNotice?: OnNotice;
}

export interface SessionResult {
  runId: string;
  summary: RunSummary;
  reportPath: string;
}

export async function runSession(options: SessionOptions): Promise<SessionResult> {
  const { config } = options;
  const signal = options.signal ?? new AbortController().signal;
  const kb = await openKnowledgeBase(options.workspaceDir, { signal, folder: config.knowledgeBaseFolder });
  const run = { runId: newRunId(), startedAt: new Date().toISOString(), kbRoundAtStart: kb.round };
  const owned = new SessionResources();
  try {
    const session = await startSession(kb, { ...options, signal }, run, owned);
    options.onStarted?.({ runId: run.runId, firstGeneration: session.first, generations: config.generations, model: session.model.name });
    const measures = new SessionMeasures(kb, config);
    const said = new Set<string>();
    const summaries: GenerationSummary[] = [];
    for (let generation = session.first; generation < session.first + config.generations; generation++) {
      const summary = await runGeneration(session, measures, generation, said, options);
      summaries.push(summary);
      options.onGeneration?.(summary);
    }
    const summary: RunSummary = { runId: run.runId, startedAt: run.startedAt, model: session.model, caveats: options.caveats ?? [], generations: summaries };
    return { runId: run.runId, summary, reportPath: join(session.ctx.recorder.dir, "report.html") };
  } finally {
    await owned.release();
    await kb.close();
  }
}

async function runGeneration(session: StartedSession, measures: SessionMeasures, generation: number, said: Set<string>, options: SessionOptions): Promise<GenerationSummary> {
  const { ctx } = session;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  ctx.usage = newUsage();
  ctx.level = levelFor(ctx.config.curriculum.start, ctx.config.curriculum.advanceAt, lastLevelRecord(ctx.kb.generations()));
  ctx.progress.startGeneration(generation);
  const notesBefore = new Set(noteTexts(ctx.kb).map((e) => e.id));

  const played = await playGeneration(ctx, session.population, generation);
  const { evaluation, probeMetrics, answers } = await evaluateIfDue(session, measures, generation);
  const measured = await measure(session, measures, generation, notesBefore, answers);
  await turnOver(session, generation);

  // Recorded before the commit so the record has it; the commit's own time is added to the summary after.
  const summary: GenerationSummary = {
    ...played.summary,
    ...measured,
    probeMetrics,
    evaluation,
    completionTokens: ctx.usage.completionTokens,
    promptTokens: ctx.usage.promptTokens,
    promptTokensEvaluated: ctx.usage.promptTokensEvaluated,
    promptTokensCopied: ctx.usage.promptTokensCopied,
    modelBusyMs: ctx.usage.modelBusyMs,
    phaseMs: ctx.usage.phaseMs,
    wallMs: performance.now() - started,
  };
  recordGeneration(session, generation, startedAt, summary, played);
  await commitGeneration(session, said, options.onNotice);
  summary.wallMs = performance.now() - started;
  ctx.progress.generationDone();
  // After every generation, so a run stopped at any point has the report of its last finished generation.
  writeRunReport({ kb: ctx.kb, cultureDir: dirname(ctx.kb.paths.kbJson), runId: session.runId, model: session.model, caveats: options.caveats });
  return summary;
}
