// Records the messages the metrics panel receives, from real culture-loop sessions (the real knowledge base, sandbox
// and loop, with scripted agents — test/doubles/scriptedAgent.ts — as the population), into test/webview/fixtures/.
// Every number in the fixtures comes from the engine's records; nothing is written by hand. Regenerate with
//   npx tsx test/webview/recordPanelFixture.ts
// Two workspaces: "accumulating" (agents that learn from notes, then a control run without the knowledge base, so
// there are two runs to compare) and "collapsing" (notes and probe answers narrow to three texts from gen 3).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { readRun } from "../../agents/loop/runRecorder";
import { runSession } from "../../agents/loop/session";
import { Sandbox } from "../../agents/sandbox/sandbox";
import type { GenerationSummary } from "../../agents/report/runSummary";
import { openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { agentGenerations, modelParameters as recordedParameters } from "../../agents/report/runRecords";
import { toPanelEntries } from "../../webview/fromRecords";
import type { RunData, RunListing, ToPanel } from "../../webview/protocol";
import { FIXTURES, STATED_PARAMETERS, type PanelFixture } from "./panelFixture";
import { describeTestDouble, heldOutAnswerKey, scriptedAgentFactory, type ScriptedBehaviour } from "../doubles/scriptedAgent";


const LEARNS_FROM_NOTES: ScriptedBehaviour = { baseSkill: 0.15, skillPerNote: 0.3, maxSkill: 0.95 };

async function record(sandbox: Sandbox, sessions: { behaviour: ScriptedBehaviour; config: Record<string, unknown> }[]): Promise<PanelFixture> {
  const workspace = mkdtempSync(join(tmpdir(), "cl-panel-fixture-"));
  try {
    const runs: RunListing[] = [];
    const runData: RunData[] = [];
    const summariesByRun: GenerationSummary[][] = [];
    for (const { behaviour, config } of sessions) {
      const parsed = parseLoopConfig(config, "the panel fixture");
      const key = await heldOutAnswerKey(sandbox, parsed);
      const summaries: GenerationSummary[] = [];
      const result = await runSession({
        workspaceDir: workspace,
        config: parsed,
        agents: scriptedAgentFactory(sandbox, key, behaviour),
        describeModel: describeTestDouble("scripted test double", STATED_PARAMETERS),
        onGeneration: (s) => summaries.push(s),
      });
      summariesByRun.push(summaries);
      const recorded = readRun(join(workspace, ".culture"), result.runId);
      runs.push({ runId: result.runId, startedAt: result.summary.startedAt, model: result.summary.model.name, generations: summaries.length, config: recorded.manifest.config });
      const modelParameters = recordedParameters(recorded.manifest);
      runData.push({ runId: result.runId, summaries, agents: [], caveats: result.summary.caveats, config: recorded.manifest.config, ...(modelParameters ? { modelParameters } : {}) });
    }
    const kb = await openKnowledgeBaseReadOnly(workspace);
    try {
      const attempts = kb.attempts();
      const entries = toPanelEntries(kb.entries({ includeArchived: true }), attempts);
      for (const run of runData) {
        const calls = readRun(join(workspace, ".culture"), run.runId).calls;
        const gens = new Set(run.summaries.map((s) => s.generation));
        run.agents = agentGenerations(calls, attempts.filter((a) => gens.has(a.generation)), run.modelParameters);
      }
      // The first run's live stream: per generation, its entries, then the generation, at the times they were committed.
      const first = runData[0]!;
      const committed = new Map(kb.generations().map((g) => [g.generation, Date.parse(g.endedAt ?? g.startedAt)]));
      const gens = first.summaries.map((s) => s.generation);
      const at = (g: number) => committed.get(g)!;
      const live: ToPanel[] = [{ type: "session", session: { phase: "running", runId: first.runId, generation: gens[0], firstGeneration: gens[0], generations: gens.length }, at: at(gens[0]!) - 1 }];
      for (const s of first.summaries) {
        live.push({ type: "entries", entries: entries.filter((e) => e.generation === s.generation), at: at(s.generation) });
        live.push({ type: "generation", runId: first.runId, summary: s, agents: first.agents!.filter((a) => a.generation === s.generation), at: at(s.generation) });
        const next = s.generation + 1;
        if (next <= gens.at(-1)!) live.push({ type: "session", session: { phase: "running", runId: first.runId, generation: next, firstGeneration: gens[0], generations: gens.length }, at: at(s.generation) });
      }
      live.push({ type: "session", session: { phase: "finished", runId: first.runId }, at: at(gens.at(-1)!) });
      return { recordedBy: "test/webview/recordPanelFixture.ts (scripted agents, real loop, knowledge base and sandbox)", runs, runData, live };
    } finally {
      await kb.close();
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sandbox = await Sandbox.create();
  try {
    mkdirSync(FIXTURES, { recursive: true });
    const accumulating = await record(sandbox, [
      { behaviour: LEARNS_FROM_NOTES, config: { generations: 6, evaluation: { every: 2 } } },
      { behaviour: LEARNS_FROM_NOTES, config: { generations: 4, evaluation: { every: 2 }, knowledgeBaseAccess: false, seed: 2 } },
    ]);
    writeFileSync(join(FIXTURES, "accumulating.json"), `${JSON.stringify(accumulating)}\n`);
    const collapsing = await record(sandbox, [{ behaviour: { ...LEARNS_FROM_NOTES, collapseFrom: 3 }, config: { generations: 7, notesWindow: 6, evaluation: { every: 1 } } }]);
    writeFileSync(join(FIXTURES, "collapsing.json"), `${JSON.stringify(collapsing)}\n`);
    for (const [name, f] of [["accumulating", accumulating], ["collapsing", collapsing]] as const) {
      const last = f.runData[0]!.summaries;
      console.log(`${name}: ${f.runs.length} run(s), ${last.length} generations, alarms at [${last.filter((s) => s.collapseAlarm).map((s) => s.generation)}], last gain ${last.findLast((s) => s.evaluation)?.evaluation?.gain}`);
    }
    console.log(`written to ${FIXTURES}`);
  } finally {
    sandbox.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
