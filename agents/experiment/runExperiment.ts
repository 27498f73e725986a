// Runs an experiment: every (condition, seed) as a whole session in a workspace of its own under
// <knowledge base>/experiments/<id>/runs/, recorded like any run (manifest, calls, report), then the comparison.
// The comparison is rewritten after every run, so an experiment stopped half way keeps what it measured.
import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../../workspace-kb/atomicFile";
import { openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { newRunId } from "../loop/runRecorder";
import type { LoopConfig } from "../loop/loopConfig";
import type { SessionResult } from "../loop/session";
import { compareExperiment, type ExperimentComparison, type ExperimentRun } from "./compareRuns";
import { runKey, type ExperimentPlan } from "./experimentConfig";
import { experimentCsv, renderExperimentReport } from "./experimentReport";

export interface ExperimentOptions {
  workspaceDir: string;
  /** The knowledge-base folder of the workspace the experiment is filed under (".culture"). */
  folder: string;
  plan: ExperimentPlan;
  /** Where the plan came from, for the report. */
  source: string;
  experimentId?: string;
  /** Plays one session; the engine passes one with the loaded model, tests one with scripted agents. */
  runSession: (run: { condition: string; seed: number; config: LoopConfig; workspaceDir: string }) => Promise<SessionResult>;
  signal?: AbortSignal;
  onRunStarted?: (run: { index: number; total: number; condition: string; seed: number }) => void;
}

export interface ExperimentResult {
  experimentId: string;
  dir: string;
  reportPath: string;
  comparison: ExperimentComparison;
  /** Runs that finished, of those planned. */
  finished: number;
  planned: number;
}

export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const { plan } = options;
  const experimentId = options.experimentId ?? newRunId();
  const dir = join(options.workspaceDir, options.folder, "experiments", experimentId);
  mkdirSync(join(dir, "runs"), { recursive: true });
  const order = plan.seeds.flatMap((seed) => plan.conditions.map((c) => ({ condition: c.name, seed })));
  const runs: ExperimentRun[] = [];
  const configs = Object.fromEntries(plan.conditions.map((c) => [c.name, plan.configs.get(runKey(c.name, plan.seeds[0]!))!]));
  let comparison = await write(dir, options, experimentId, runs, configs, order.length);
  // Seeds outermost: after each seed every condition has a run to pair, so a stopped experiment still compares.
  for (const [index, { condition, seed }] of order.entries()) {
    options.signal?.throwIfAborted();
    options.onRunStarted?.({ index: index + 1, total: order.length, condition, seed });
    const config = plan.configs.get(runKey(condition, seed))!;
    const workspaceDir = join(dir, "runs", runKey(condition, seed));
    mkdirSync(workspaceDir, { recursive: true });
    const result = await options.runSession({ condition, seed, config, workspaceDir });
    runs.push({
      condition,
      seed,
      runId: result.runId,
      workspace: relative(dir, workspaceDir),
      generations: result.summary.generations,
      caveats: result.summary.caveats,
      heldOut: await heldOutAsPlayed(workspaceDir, config),
    });
    comparison = await write(dir, options, experimentId, runs, configs, order.length);
  }
  return { experimentId, dir, reportPath: join(dir, "report.html"), comparison, finished: runs.length, planned: order.length };
}

async function write(dir: string, options: ExperimentOptions, experimentId: string, runs: ExperimentRun[], configs: Record<string, LoopConfig>, planned: number): Promise<ExperimentComparison> {
  const comparison = compareExperiment(runs, options.plan.control, configs);
  const document = { experimentId, source: options.source, control: options.plan.control, seeds: options.plan.seeds, planned, runs, comparison };
  // Each file is replaced whole: a reader never sees half a report.
  await writeFileAtomic(join(dir, "experiment.json"), `${JSON.stringify(document, null, 2)}\n`);
  await writeFileAtomic(join(dir, "series.csv"), experimentCsv(runs));
  await writeFileAtomic(join(dir, "report.html"), renderExperimentReport({ experimentId, source: options.source, planned, runs, comparison }));
  return comparison;
}

/**
 * Per held-out problem, the share of agents that solved it at the run's last evaluation, in the arm the
 * condition plays (with the knowledge base when it has access, without when it is a control).
 */
async function heldOutAsPlayed(workspaceDir: string, config: LoopConfig): Promise<Record<string, number>> {
  const kb = await openKnowledgeBaseReadOnly(workspaceDir, { folder: config.knowledgeBaseFolder });
  try {
    const heldOut = kb.attempts().filter((a) => (a.data as { heldOut?: boolean } | undefined)?.heldOut === true && a.usedKb === config.knowledgeBaseAccess);
    const last = Math.max(-1, ...heldOut.map((a) => a.generation));
    const solved = new Map<string, { yes: number; all: number }>();
    for (const a of heldOut.filter((x) => x.generation === last)) {
      const s = solved.get(a.problemId) ?? { yes: 0, all: 0 };
      s.all++;
      if (a.correct) s.yes++;
      solved.set(a.problemId, s);
    }
    return Object.fromEntries([...solved.entries()].map(([id, s]) => [id, s.yes / s.all]));
  } finally {
    await kb.close();
  }
}
