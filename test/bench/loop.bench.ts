// bench:loop — how much of a generation's wall time the culture loop itself costs (knowledge base, retrieval,
// sandbox, metrics) beside the model. Two runs side by side:
//   1. the project's tiny random model through the real runtime (issue 5's setting: every proposal is noise);
//   2. scripted agents (a test double) that propose valid problems and write notes, so every loop phase does
//      real work; they answer instantly, so this run shows the loop's absolute cost per generation.
// Run 1 is made twice with "batched" decoding (the one that shares prompt prefixes, agents/runtime/prefixShare.ts),
// with and without shared prefixes: prompt tokens decoded per generation against the naive count (every prompt
// decoded in full), the wall time of both, and where their calls first differ (batched runs may differ anyway).
// Sandbox throughput and deadline overshoot are measured by bench:sandbox, which `npm run bench:loop` runs next.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { runModelSession } from "../../agents/loop/modelSession";
import { describeDivergence, firstDivergence } from "../../agents/loop/replay";
import { readRun } from "../../agents/loop/runRecorder";
import { runSession } from "../../agents/loop/session";
import type { GenerationSummary } from "../../agents/report/runSummary";
import { openRuntime } from "../../agents/runtime/runtime";
import { describeTestDouble, heldOutAnswerKey, scriptedAgentFactory } from "../doubles/scriptedAgent";

const GENERATIONS = 6;
const PHASES = ["verify", "retrieval", "metrics", "commit"];

function table(title: string, rows: GenerationSummary[], withModel: boolean): void {
  console.log(`\n${title}`);
  const header = ["gen", "wall ms", ...(withModel ? ["model ms", "outside model", "prompt tok decoded", "in full", "copied"] : []), ...PHASES.map((p) => `${p} ms`), "valid/proposals", "notes"];
  console.log(header.join("\t"));
  for (const g of rows) {
    console.log([
      g.generation, g.wallMs.toFixed(0),
      ...(withModel ? [g.modelBusyMs.toFixed(0), `${((100 * (g.wallMs - g.modelBusyMs)) / g.wallMs).toFixed(1)}%`, g.promptTokensEvaluated, g.promptTokens, g.promptTokensCopied] : []),
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
  // Each run on its own runtime and workspace from an empty knowledge base, so both see the same calls.
  async function tinyRun(sharePrefixes: boolean) {
    const runConfig = { ...config, runtime: { ...config.runtime, decoding: "batched" as const, sharePrefixes } };
    const runtime = await openRuntime(runConfig.runtime);
    try {
      const workspaceDir = mkdtempSync(join(temp, sharePrefixes ? "shared-" : "alone-"));
      const started = performance.now();
      const result = await runModelSession({ workspaceDir, config: runConfig, runtime });
      return { result, threads: runtime.config.threads, wallMs: performance.now() - started, calls: readRun(join(workspaceDir, config.knowledgeBaseFolder), result.runId).calls };
    } finally {
      await runtime.dispose();
    }
  }
  const shared = await tinyRun(true);
  table(`1. tiny random model (${shared.threads} thread(s)), ${GENERATIONS} generations, held-out evaluation every 2, batched decoding, shared prompt prefixes`, shared.result.summary.generations, true);
  const alone = await tinyRun(false);
  table("1b. the same without shared prompt prefixes (runtime.sharePrefixes false)", alone.result.summary.generations, true);
  const total = (run: typeof shared, pick: (g: GenerationSummary) => number | undefined) => run.result.summary.generations.reduce((s, g) => s + (pick(g) ?? 0), 0);
  const naive = total(shared, (g) => g.promptTokens);
  const decoded = total(shared, (g) => g.promptTokensEvaluated);
  const decodedAlone = total(alone, (g) => g.promptTokensEvaluated);
  console.log(`\nprompt tokens per generation: naive (every prompt in full) ${(naive / GENERATIONS).toFixed(0)}; decoded without sharing ${(decodedAlone / GENERATIONS).toFixed(0)} (${((100 * decodedAlone) / naive).toFixed(1)}% of naive, an agent keeps its own previous prefix); with shared prefixes ${(decoded / GENERATIONS).toFixed(0)} (${((100 * decoded) / naive).toFixed(1)}% of naive, ${(decodedAlone / decoded).toFixed(2)}x fewer than without)`);
  console.log(`wall time of the ${GENERATIONS} generations: ${(shared.wallMs / 1000).toFixed(1)} s with shared prefixes, ${(alone.wallMs / 1000).toFixed(1)} s without (${(alone.wallMs / shared.wallMs).toFixed(2)}x)`);
  const divergence = firstDivergence(alone.calls, shared.calls);
  console.log(divergence ? `the two runs differ: ${describeDivergence(divergence, alone.calls.length)}` : `the two runs' ${shared.calls.length} calls are identical, prompt and output`);

  const sandbox = await Sandbox.create();
  try {
    const key = await heldOutAnswerKey(sandbox, config);
    const scripted = await runSession({
      workspaceDir: mkdtempSync(join(temp, "scripted-")),
      config,
      agents: scriptedAgentFactory(sandbox, key, { baseSkill: 0.2, skillPerNote: 0.2, maxSkill: 0.9 }),
      describeModel: describeTestDouble(),
    });
    table("2. scripted agents (test double: valid problems, notes, no model time)", scripted.summary.generations, false);
  } finally {
    sandbox.dispose();
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
