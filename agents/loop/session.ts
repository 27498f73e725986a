// A culture-loop session: opens the workspace's knowledge base (taking its lock), runs the configured
// generations, records every call and per-generation figures, and rewrites the run's HTML report after each. Every
// generation ends in one durable commit, so a session stopped at any point leaves an intact knowledge base.
import { dirname, join, resolve } from "node:path";
import { openKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { computeMetrics, type MetricKey } from "../../workspace-kb/metrics/computeMetrics";
import { readCorpusFile } from "../../workspace-kb/metrics/corpusFile";
import type { RateTally } from "../../workspace-kb/metrics/ratchetDrift";
import { MetricsWindow } from "../../workspace-kb/metrics/metricsWindow";
import { generateBank } from "../problems/bank";
import { Sandbox, type Json } from "../sandbox/sandbox";
import { writeRunReport } from "../report/runReport";
import type { GenerationSummary, RunSummary } from "../report/runSummary";
import type { AgentFactory } from "./agentPort";
import { RaschRatings } from "./difficulty";
import { evaluateHeldOut, probe } from "./evaluate";
import { summarizeEvaluation, lineageFigures } from "./accumulation";
import { CollapseWatch } from "./collapseWatch";
import { playGeneration } from "./generation";
import type { LoopConfig } from "./loopConfig";
import { newUsage, searchRetrieval, timed, type LoopContext, type Retrieval } from "./loopContext";
import { Population } from "./population";
import { ProgressTracker } from "./progress";
import type { SessionProgress } from "../report/sessionProgress";
import { newRunId, RunRecorder } from "./runRecorder";

export interface SessionOptions {
  workspaceDir: string;
  config: LoopConfig;
  agents: AgentFactory;
  /** What the report says about the model; called once the agents (and so their models) are loaded. */
  describeModel: () => Promise<{ model: RunSummary["model"]; manifest: { models: unknown[]; versions: Record<string, string> } }>;
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
  onNotice?: (message: string) => void;
}

export interface SessionResult {
  runId: string;
  summary: RunSummary;
  reportPath: string;
}

/** The metrics computed over the notes window and the probe answers each generation. */
const TRACKED: MetricKey[] = ["distinct_1", "distinct_2", "compression_ratio", "self_bleu_4", "vendi_ngram", "near_duplicate_rate"];

export async function runSession(options: SessionOptions): Promise<SessionResult> {
  const { config } = options;
  const signal = options.signal ?? new AbortController().signal;
  const kb = await openKnowledgeBase(options.workspaceDir, { signal, folder: config.knowledgeBaseFolder });
  const kbRoundAtStart = kb.round;
  const startedAt = new Date().toISOString();
  const runId = newRunId();
  let recorder: RunRecorder | undefined;
  let sandbox: Sandbox | undefined;
  let population: Population | undefined;
  try {
    sandbox = await Sandbox.create();
    const perLevel = Math.ceil(config.evaluation.heldOutProblems / 5);
    const bank = await generateBank(sandbox, { seed: config.seed, perLevel });
    const first = Math.max(-1, ...kb.generations().map((g) => g.generation)) + 1;
    population = new Population(options.agents, config.seed);
    await population.fill(config.population.size, first);
    const { model, manifest } = await options.describeModel();
    for (const m of population.all) kb.upsertAgent({ id: m.agent.id, persona: m.agent.persona, seed: m.agent.seed, model: model.name, bornGeneration: first });
    recorder = RunRecorder.create(dirname(kb.paths.kbJson), {
      runId,
      startedAt,
      kbRoundAtStart,
      config,
      models: manifest.models,
      versions: { node: process.version, ...manifest.versions },
    });
    const ctx: LoopContext = {
      kb, sandbox, recorder, config, bank, signal,
      retrieval: options.retrieval ?? searchRetrieval,
      ratings: ratingsFromHistory(kb),
      externalText: await externalText(config, options.workspaceDir),
      seed: config.seed,
      lastUsed: lastUseOf(kb),
      usage: newUsage(),
      progress: new ProgressTracker(
        {
          firstGeneration: first,
          generations: config.generations,
          evaluates: (ordinal) => isEvaluationGeneration(config, ordinal),
          evaluationCalls: config.population.size * (bank.length * (config.knowledgeBaseAccess ? 2 : 1) + config.evaluation.probePrompts.length * config.evaluation.probeSamples),
        },
        options.onProgress,
      ),
    };
    options.onStarted?.({ runId, firstGeneration: first, generations: config.generations, model: model.name });

    const notesWindow = new MetricsWindow({ size: config.notesWindow, kernelSize: config.notesWindow, seed: config.seed });
    // Chapters consolidate notes and so repeat them by design: the diversity window holds notes only.
    notesWindow.add(kb.entries({ kinds: ["note", "human"] }).slice(-config.notesWindow).map((e) => e.text));
    const collapse = new CollapseWatch(config, config.seed);
    let ratchet = Number.NEGATIVE_INFINITY;
    const withKbTallies: RateTally[] = [];
    const summaries: GenerationSummary[] = [];
    const refusalsSaid = new Set<string>();

    for (let generation = first; generation < first + config.generations; generation++) {
      const started = performance.now();
      const generationStartedAt = new Date().toISOString();
      ctx.usage = newUsage();
      ctx.progress.startGeneration(generation);
      const notesBefore = new Set(kb.entries({ kinds: ["note", "human"], includeArchived: true }).map((e) => e.id));

      const played = await playGeneration(ctx, population, generation);

      let evaluation: GenerationSummary["evaluation"];
      let probeMetrics: Record<string, number> | undefined;
      let answers: string[] | undefined;
      const last = generation === first + config.generations - 1;
      if (isEvaluationGeneration(config, generation - first + 1)) {
        const solvers = population.all.map((m) => m.agent);
        ctx.progress.phase("evaluating", solvers.length * ctx.bank.length * (config.knowledgeBaseAccess ? 2 : 1));
        const results = await evaluateHeldOut(ctx, solvers, generation);
        const summary = summarizeEvaluation(results, generation, ratchet, config.seed + generation, withKbTallies);
        ratchet = summary.ratchet;
        evaluation = summary;
        ctx.progress.phase("probing", solvers.length * config.evaluation.probePrompts.length * config.evaluation.probeSamples);
        answers = await probe(ctx, solvers, generation);
        const probed = answers;
        if (probed.length >= 2) probeMetrics = await timed(ctx, "metrics", () => computeMetrics(probed, { metrics: TRACKED }));
      }

      const newNotes = kb.entries({ kinds: ["note", "human"], includeArchived: true }).filter((e) => !notesBefore.has(e.id));
      const panel = await timed(ctx, "metrics", () => notesWindow.add(newNotes.map((e) => e.text)));
      const metrics = notesWindow.windowDocuments.length >= 2 ? pick(panel, TRACKED) : {};
      const collapseState = await timed(ctx, "metrics", () => collapse.observe(generation, newNotes.map((e) => e.text), answers));
      const lineage = lineageFigures(kb.entries({ kinds: ["note", "chapter", "human"], includeArchived: true }), generation);

      if (config.turnover.every > 0 && (generation - first + 1) % config.turnover.every === 0 && !last) {
        const retired = population.retireOldest(Math.max(1, Math.round(config.population.size * config.turnover.fraction)));
        for (const m of retired) kb.upsertAgent({ id: m.agent.id, persona: m.agent.persona, seed: m.agent.seed, model: model.name, bornGeneration: m.bornGeneration, retiredGeneration: generation });
        for (const m of retired) await m.agent.dispose?.();
        for (const m of await population.fill(config.population.size, generation + 1)) {
          kb.upsertAgent({ id: m.agent.id, persona: m.agent.persona, seed: m.agent.seed, model: model.name, bornGeneration: generation + 1 });
        }
      }

      // Stored before the commit so the record has it; the commit's own time is added to the summary after.
      const summary: GenerationSummary = {
        ...played.summary,
        ...lineage,
        metrics,
        probeMetrics,
        evaluation,
        ...collapseState,
        completionTokens: ctx.usage.completionTokens,
        promptTokens: ctx.usage.promptTokens,
        promptTokensEvaluated: ctx.usage.promptTokensEvaluated,
        promptTokensCopied: ctx.usage.promptTokensCopied,
        modelBusyMs: ctx.usage.modelBusyMs,
        phaseMs: ctx.usage.phaseMs,
        wallMs: performance.now() - started,
      };
      kb.recordGeneration({ generation, startedAt: generationStartedAt, endedAt: new Date().toISOString(), data: asJson({ runId, ...summary, rewards: played.rewards, refused: played.refused }) });
      if (Object.keys(metrics).length > 0) kb.recordMetrics({ generation, window: `notes-last-${config.notesWindow}`, values: finite(metrics) });
      if (probeMetrics) kb.recordMetrics({ generation, window: "probe", values: finite(probeMetrics) });
      await timed(ctx, "commit", async () => {
        const receipt = await kb.commitRound();
        recorder!.flush();
        for (const note of receipt.humanNotesRefused) {
          const said = `${note.line}\u0000${note.title}\u0000${note.reason}`;
          if (refusalsSaid.has(said)) continue; // once per session; NOTES.md keeps saying it until it is fixed
          refusalsSaid.add(said);
          options.onNotice?.(`NOTES.md line ${note.line}, human note "${note.title}" was not given to the agents: ${note.reason}.`);
        }
      });
      summary.wallMs = performance.now() - started;
      ctx.progress.generationDone();
      summaries.push(summary);
      // After every generation, so a run stopped at any point has the report of its last finished generation.
      writeRunReport({ kb, cultureDir: dirname(kb.paths.kbJson), runId, model, caveats: options.caveats });
      options.onGeneration?.(summary);
    }

    const summary: RunSummary = { runId, startedAt, model, caveats: options.caveats ?? [], generations: summaries };
    return { runId, summary, reportPath: join(recorder.dir, "report.html") };
  } finally {
    // The agents' sequences go back to the runtime, which may serve another session (an experiment's next run).
    for (const m of population?.all ?? []) await m.agent.dispose?.().catch(() => undefined);
    sandbox?.dispose();
    recorder?.close();
    await kb.close();
  }
}

/** The session's n-th generation (1-based) is evaluated every `evaluation.every` generations and at the end. */
function isEvaluationGeneration(config: LoopConfig, ordinal: number): boolean {
  return ordinal % config.evaluation.every === 0 || ordinal === config.generations;
}

/** Difficulty and skill carry over between sessions: every recorded play attempt is replayed into the ratings. */
function ratingsFromHistory(kb: Awaited<ReturnType<typeof openKnowledgeBase>>): RaschRatings {
  const ratings = new RaschRatings();
  for (const a of kb.attempts()) {
    if ((a.data as { heldOut?: boolean } | undefined)?.heldOut) continue;
    ratings.record({ solverId: a.agentId, problemId: a.problemId, solved: a.correct });
  }
  return ratings;
}

/** The "external text" intervention's corpus (JSONL, relative to the workspace), or none when it is off. */
async function externalText(config: LoopConfig, workspaceDir: string): Promise<string[]> {
  const { path, fraction } = config.interventions.externalText;
  if (!path || fraction === 0) return [];
  const docs = await readCorpusFile(resolve(workspaceDir, path));
  return docs.filter((d) => d.trim() !== "");
}

/** When each entry was last cited, from the knowledge base's own records (retrievals of past runs are not kept). */
function lastUseOf(kb: Awaited<ReturnType<typeof openKnowledgeBase>>): Map<string, number> {
  const lastUsed = new Map<string, number>();
  const use = (id: string, generation: number) => lastUsed.set(id, Math.max(generation, lastUsed.get(id) ?? -1));
  for (const entry of kb.entries({ includeArchived: true })) for (const id of entry.cites) use(id, entry.generation);
  for (const attempt of kb.attempts()) for (const id of attempt.cites) use(id, attempt.generation);
  return lastUsed;
}

function pick(values: Record<string, number>, keys: MetricKey[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, values[k]!]));
}

/** The generation record as stored JSON: unmeasured figures (undefined, NaN) become absent or null, never 0. */
function asJson(value: object): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Metric snapshots store numbers only; NaN (e.g. too few documents) is left out rather than invented. */
function finite(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
}
