// A generation's agents share long prompt prefixes (the role's instruction and worked example, the problem, its
// notes); with "batched" decoding the runtime decodes them once per context (agents/runtime/prefixShare.ts). With
// "exact" decoding it copies nothing: a copy changes how a prompt is split into decodes, and with it the logits.
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

  async function run(decoding: "exact" | "batched", sharePrefixes: boolean) {
    const config = parseLoopConfig(
      { generations: 2, sampling: { maxTokens: 24 }, sleep: { every: 0 }, evaluation: { every: 3 }, runtime: { model: tiny.modelPath, modelsDir: tiny.dir, threads: 1, gpu: false, decoding, sharePrefixes } },
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

  it("with exact decoding copies nothing and makes exactly the calls of a session without sharing", async () => {
    // A session that copied in exact decoding diverged from one that did not (call 227 of 230, a probe answer).
    const shared = await run("exact", true);
    const alone = await run("exact", false);
    const divergence = firstDivergence(alone.calls, shared.calls);
    assert.equal(divergence, undefined, describeDivergence(divergence, alone.calls.length));
    for (const g of shared.generations) assert.equal(g.promptTokensCopied, 0);
  });

  it("with batched decoding copies prompt prefixes between agents and decodes a smaller share of the prompt tokens", async () => {
    // Batched runs may differ by timing (and the tiny model's noise proposals may leave a generation with nothing to
    // solve), so the two runs are compared over the whole session, as shares of their own prompt tokens.
    const shared = await run("batched", true);
    const alone = await run("batched", false);
    const total = (r: typeof shared, pick: (c: (typeof shared.calls)[number]) => number | undefined) => r.calls.reduce((n, c) => n + (pick(c) ?? 0), 0);
    assert.ok(total(shared, (c) => c.promptTokensCopied) > 0, "prompt tokens were copied");
    assert.equal(total(alone, (c) => c.promptTokensCopied), 0);
    const share = (r: typeof shared) => total(r, (c) => c.promptTokensEvaluated) / total(r, (c) => c.promptTokens);
    assert.ok(share(shared) < share(alone), `${share(shared).toFixed(3)} of prompt tokens decoded with sharing, ${share(alone).toFixed(3)} without`);
    const copiedCall = shared.calls.find((c) => (c.promptTokensCopied ?? 0) > 0)!;
    assert.ok(copiedCall.promptTokensEvaluated! + copiedCall.promptTokensCopied! <= copiedCall.promptTokens, "each call's record says what it decoded and copied");
    const copiedInSummaries = shared.generations.reduce((n, g) => n + (g.promptTokensCopied ?? 0), 0);
    assert.equal(copiedInSummaries, total(shared, (c) => c.promptTokensCopied), "the generation summaries add up the calls");
  });
});
