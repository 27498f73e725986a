// A session's start: the sandbox, the held-out bank, the population seated and registered in the knowledge base,
// the run's record, and the context every step reads — with the state learned in earlier sessions (ratings,
// last uses) rebuilt from the knowledge base's own records.
import { dirname, resolve } from "node:path";
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { readCorpusFile } from "../../workspace-kb/metrics/corpusFile";
import { Sandbox } from "../sandbox/sandbox";
import type { RunSummary } from "../report/runSummary";
import { RaschRatings } from "./difficulty";
import { heldOutBank, heldOutCalls, isEvaluationGeneration, probeCalls } from "./evaluate";
import type { LoopConfig } from "./loopConfig";
import { newUsage, searchRetrieval, type LoopContext } from "./loopContext";
import { Population } from "./population";
import { ProgressTracker } from "./progress";
import { RunRecorder } from "./runRecorder";
import type { SessionOptions } from "./session";

/** A started session: what its generations use, and what its end releases. */
export interface StartedSession {
  readonly runId: string;
  readonly startedAt: string;
  readonly ctx: LoopContext;
  readonly population: Population;
  readonly model: RunSummary["model"];
  /** Absolute number of the session's first generation in the knowledge base. */
  readonly first: number;
  /** The runtime's per-agent entries now (backend, model), for the run manifest after agents join mid-run. */
  readonly describeAgents: () => Promise<unknown[] | undefined>;
}

/** What a session holds and gives back at its end, filled in as its start creates it (so a failed start releases too). */
export class SessionResources {
  sandbox?: Sandbox;
  population?: Population;
  recorder?: RunRecorder;

  async release(): Promise<void> {
    // The agents' sequences go back to the runtime, which may serve another session (an experiment's next run).
    for (const m of this.population?.all ?? []) await m.agent.dispose?.().catch(() => undefined);
    this.sandbox?.dispose();
    this.recorder?.close();
  }
}

/** Starts a session on an opened knowledge base. */
export async function startSession(
  kb: KnowledgeBase,
  options: SessionOptions,
  run: { runId: string; startedAt: string; kbRoundAtStart: number },
  owned: SessionResources,
): Promise<StartedSession> {
  const { config, signal = new AbortController().signal } = options;
  const sandbox = (owned.sandbox = await Sandbox.create());
  const bank = await heldOutBank(sandbox, config);
  const first = Math.max(-1, ...kb.generations().map((g) => g.generation)) + 1;
  const population = (owned.population = new Population(options.agents, config.seed));
  await population.fill(config.population.size, first);
  const { model, manifest } = await options.describeModel();
  for (const m of population.all) kb.upsertAgent({ id: m.agent.id, persona: m.agent.persona, seed: m.agent.seed, model: m.agent.modelName ?? model.name, bornGeneration: first });
  const recorder = (owned.recorder = RunRecorder.create(dirname(kb.paths.kbJson), {
    ...run,
    config,
    models: manifest.models,
    ...(manifest.agents ? { agents: manifest.agents } : {}),
    ...(manifest.reproducibility ? { reproducibility: manifest.reproducibility } : {}),
    versions: { node: process.version, ...manifest.versions },
  }));
  const ctx: LoopContext = {
    kb, sandbox, recorder, config, bank, signal,
    retrieval: options.retrieval ?? searchRetrieval,
    ratings: ratingsFromHistory(kb),
    externalText: await externalText(config, options.workspaceDir),
    seed: config.seed,
    lastUsed: lastUseOf(kb),
    usage: newUsage(),
    level: config.curriculum.start,
    progress: new ProgressTracker(
      {
        firstGeneration: first,
        generations: config.generations,
        evaluates: (ordinal) => isEvaluationGeneration(config, ordinal),
        evaluationCalls: heldOutCalls(config, bank.length, config.population.size).high + probeCalls(config, config.population.size),
      },
      options.onProgress,
    ),
  };
  const describeAgents = async () => (await options.describeModel()).manifest.agents;
  return { runId: run.runId, startedAt: run.startedAt, ctx, population, model, first, describeAgents };
}

/** Difficulty and skill carry over between sessions: every recorded play attempt is replayed into the ratings. */
function ratingsFromHistory(kb: KnowledgeBase): RaschRatings {
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
function lastUseOf(kb: KnowledgeBase): Map<string, number> {
  const lastUsed = new Map<string, number>();
  const use = (id: string, generation: number) => lastUsed.set(id, Math.max(generation, lastUsed.get(id) ?? -1));
  for (const entry of kb.entries({ includeArchived: true })) for (const id of entry.cites) use(id, entry.generation);
  for (const attempt of kb.attempts()) for (const id of attempt.cites) use(id, attempt.generation);
  return lastUsed;
}
