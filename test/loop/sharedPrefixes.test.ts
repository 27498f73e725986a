// A generation's agents share long prompt prefixes (the role's instruction and worked example, the problem, its
// notes); the runtime decodes them once per context (agents/runtime/prefixShare.ts). Sharing must save decoding
// and change no call of a session.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { runModelSession } from "../../agents/loop/modelSession";
import { describeDivergence, firstDivergence } from "../../agents/loop/replay";
import { readRun } from "../../agents/loop/runRecorder";
import { openRuntime } from "../../agents/runtime/runtime";
import { tinyModelDir, type TinyModelDir } from "../runtime/tinyModel";

describe("a session on the tiny model with shared prompt prefixes", function () {
  this.timeout(300_000);
  let tiny: TinyModelDir;
  const workspaces: string[] = [];
  before(async () => (tiny = await tinyModelDir("cl-shared-")));
  after(async () => {
    workspaces.forEach((w) => rmSync(w, { recursive: true, force: true }));
    await tiny.cleanup();
  });

  async function run(sharePrefixes: boolean) {
    const config = parseLoopConfig(
      { generations: 2, sampling: { maxTokens: 24 }, sleep: { every: 0 }, evaluation: { every: 3 }, runtime: { model: tiny.modelPath, modelsDir: tiny.dir, threads: 1, gpu: false, sharePrefixes } },
      "the test",
    );
    const runtime = await openRuntime(config.runtime);
    try {
      const workspace = mkdtempSync(join(tmpdir(), "cl-shared-run-"));
      workspaces.push(workspace);
      const result = await runModelSession({ workspaceDir: workspace, config, runtime });
      return { generations: result.summary.generations, calls: readRun(join(workspace, config.knowledgeBaseFolder), result.runId).calls };
    } finally {
      await runtime.dispose();
    }
  }

  it("copies prompt prefixes between agents and makes exactly the calls a session without sharing makes", async () => {
    const shared = await run(true);
    const alone = await run(false);
    const divergence = firstDivergence(alone.calls, shared.calls);
    assert.equal(divergence, undefined, describeDivergence(divergence, alone.calls.length));
    for (const [g, without] of shared.generations.map((g, i) => [g, alone.generations[i]!] as const)) {
      assert.equal(g.promptTokens, without.promptTokens, "the same prompts, counted in full");
      assert.ok(g.promptTokensCopied! > 0, `generation ${g.generation} copied prompt tokens`);
      assert.equal(without.promptTokensCopied, 0);
      assert.ok(g.promptTokensEvaluated! < without.promptTokensEvaluated!, `generation ${g.generation}: ${g.promptTokensEvaluated} decoded with sharing, ${without.promptTokensEvaluated} without`);
    }
    const copiedCall = shared.calls.find((c) => (c.promptTokensCopied ?? 0) > 0)!;
    assert.ok(copiedCall.promptTokensEvaluated! + copiedCall.promptTokensCopied! <= copiedCall.promptTokens, "each call's record says what it decoded and copied");
  });
});
