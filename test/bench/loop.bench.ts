// bench:loop — how much of a generation's wall time the culture loop itself costs (knowledge base, retrieval,
// sandbox, metrics) beside the model. Two runs side by side:
//   1. the project's tiny random model through the real runtime (issue 5's setting: every proposal is noise);
//   2. scripted agents (a test double) that propose valid problems and write notes, so every loop phase does
//      real work; they answer instantly, so this run shows the loop's absolute cost per generation.
// Sandbox throughput and deadline overshoot are measured by bench:sandbox, which `npm run bench:loop` runs next.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateBank } from "../../agents/problems/bank";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { runModelSession } from "../../agents/loop/modelSession";
import { runSession } from "../../agents/loop/session";
import type { GenerationSummary } from "../../agents/report/runSummary";
import { openRuntime } from "../../agents/runtime/runtime";
import { AnswerKey, scriptedAgentFactory } from "../doubles/scriptedAgent";

const GENERATIONS = 6;
const PHASES = ["verify", "retrieval", "metrics", "commit"];

function table(title: string, rows: GenerationSummary[], withModel: boolean): void {
  console.log(`\n${title}`);
  const header = ["gen", "wall ms", ...(withModel ? ["model ms", "outside model"] : []), ...PHASES.map((p) => `${p} ms`), "valid/proposals", "notes"];
  console.log(header.join("\t"));
  for (const g of rows) {
    console.log([
      g.generation, g.wallMs.toFixed(0),
      ...(withModel ? [g.modelBusyMs.toFixed(0), `${((100 * (g.wallMs - g.modelBusyMs)) / g.wallMs).toFixed(1)}%`] : []),
      ...PHASES.map((p) => (g.phaseMs[p] ?? 0).toFixed(1)),
      `${g.validProposals}/${g.proposals}`, g.notesWritten,
    ].join("\t"));
  }
  console.log("(phase times add up concurrent calls, so a phase can exceed the wall time)");
  const wall = rows.reduce((s, g) => s + g.wallMs, 0);
  if (withModel) {
    const busy = rows.reduce((s, g) => s + g.modelBusyMs, 0);
    console.log(`all generations: ${((100 * (wall - busy)) / wall).toFixed(1)}% of wall time outside model calls (target < 5%)`);
  } else {
    console.log(`all generations: ${(wall / rows.length).toFixed(1)} ms of loop work per generation`);
  }
}

const config = parseLoopConfig({ generations: GENERATIONS, evaluation: { every: 2 }, runtime: { model: "tiny", allowDownload: false, threads: 1 } }, "bench");
const temp = mkdtempSync(join(tmpdir(), "cl-bench-loop-"));
try {
  const runtime = await openRuntime(config.runtime);
  try {
    const model = await runModelSession({ workspaceDir: mkdtempSync(join(temp, "model-")), config, runtime });
    table(`1. tiny random model (${runtime.config.threads} thread(s)), ${GENERATIONS} generations, held-out evaluation every 2`, model.summary.generations, true);
  } finally {
    await runtime.dispose();
  }

  const sandbox = await Sandbox.create();
  try {
    const key = new AnswerKey();
    for (const item of await generateBank(sandbox, { seed: config.seed, perLevel: Math.ceil(config.evaluation.heldOutProblems / 5) })) key.add(item.problem);
    const scripted = await runSession({
      workspaceDir: mkdtempSync(join(temp, "scripted-")),
      config,
      agents: scriptedAgentFactory(sandbox, key, { baseSkill: 0.2, skillPerNote: 0.2, maxSkill: 0.9 }),
      describeModel: async () => ({ model: { name: "scripted test double", sha256: "", parameters: 0, isNoise: false }, manifest: { models: [], versions: {} } }),
    });
    table("2. scripted agents (test double: valid problems, notes, no model time)", scripted.summary.generations, false);
  } finally {
    sandbox.dispose();
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
