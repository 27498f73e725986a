// `culture-lab run` on the project's tiny random-weight model: the real runtime, grammar and sandbox path.
// The model's output is noise, so every proposal must be refused, and the run must say so rather than fail.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { ROLE_BUDGETS } from "../../agents/loop/roleBudgets";
import { readRun } from "../../agents/loop/runRecorder";
import { openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { captureIO } from "../helpers/captureIO";

describe("culture-lab run on the tiny random model", function () {
  this.timeout(300_000);
  let workspace: string;
  let home: string;
  const saved = process.env.XDG_CACHE_HOME;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), "cl-run-ws-"));
    home = mkdtempSync(join(tmpdir(), "cl-run-cache-"));
    // The model cache is isolated, so "the recommended model is not on this machine" holds in the test.
    process.env.XDG_CACHE_HOME = home;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    rmSync(workspace, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it("runs generations cleanly with every noisy proposal refused and recorded with its reason", async () => {
    const io = captureIO(workspace);
    // No --threads: a named tiny model must be decoded on one thread by itself (on two it stalled a busy machine).
    const code = await runCli(["run", "--model", "tiny", "--generations", "8", "--config", writeConfig(workspace)], io);
    assert.equal(code, 0, io.stderr());
    assert.match(io.stderr(), /Decoding on 1 thread \(auto: the model is/);
    assert.match(io.stderr(), /^gen 1\/8 · proposing 0\/2 calls/m, "progress inside a generation is printed");
    const runId = /run (\S+) finished/.exec(io.stdout())![1]!;
    const run = readRun(join(workspace, ".culture"), runId);
    assert.equal((run.manifest.config as { runtime: { threads: unknown } }).runtime.threads, 1, "the manifest records the number, not \"auto\"");
    // A reply cut at the proposer's budget is recorded as truncated and asked once more with the larger budget.
    const proposals = run.calls.filter((c) => c.role === "proposer");
    const retries = proposals.filter((c) => c.sampling.maxTokens === ROLE_BUDGETS.proposer.retryTokens);
    assert.equal(proposals.length - retries.length, 8 * 2);
    assert.equal(proposals.filter((c) => c.outcome === "truncated" && c.sampling.maxTokens === ROLE_BUDGETS.proposer.maxTokens).length, retries.length);
    // The grammar makes the model think first: every recorded proposal begins with its reasoning field.
    assert.ok(proposals.every((c) => /^\s*\{\s*"reasoning"\s*:/.test(c.output)), proposals[0]?.output.slice(0, 80));
    const kb = await openKnowledgeBaseReadOnly(workspace);
    try {
      assert.equal(kb.entries({ kinds: ["problem"] }).length, 0, "noise never becomes a problem");
      const generations = kb.generations();
      assert.equal(generations.length, 8);
      const reasons = generations.map((g) => (g.data as { invalidReasons: Record<string, number> }).invalidReasons);
      assert.ok(reasons.every((r) => Object.values(r).reduce((a, b) => a + b, 0) === 2), JSON.stringify(reasons));
      const refused = generations.flatMap((g) => (g.data as { refused: Array<{ proposerId: string; reason: string; message: string }> }).refused);
      assert.equal(refused.length, 16);
      assert.ok(refused.every((r) => r.proposerId.startsWith("agent-") && r.reason.length > 0 && r.message.length > 0), JSON.stringify(refused[0]));
    } finally {
      await kb.close();
    }
    const report = readFileSync(join(workspace, ".culture", "runs", runId, "report.html"), "utf8");
    assert.match(report, /0 of 16 proposed problems were valid/);
    assert.match(report, /taught nothing/);
  });

  it("says plainly that it falls back to the tiny model when the recommended one cannot be had offline", async () => {
    const io = captureIO(workspace);
    const code = await runCli(["run", "--offline", "--generations", "1", "--threads", "1", "--config", writeConfig(workspace)], io);
    assert.equal(code, 0, io.stderr());
    assert.match(io.stderr(), /cannot be downloaded/);
    assert.match(io.stderr(), /tiny random model instead\. Its output is noise/);
    assert.match(io.stderr(), /replies are cut at 48 tokens and the held-out bank has 5 problems/, "the configuration's smaller limits are kept");
    const runId = /run (\S+) finished/.exec(io.stdout())![1]!;
    const { config } = readRun(join(workspace, ".culture"), runId).manifest as { config: { sampling: { maxTokens: number } } };
    assert.equal(config.sampling.maxTokens, 48, "the manifest records the limits the run had");
    assert.match(readFileSync(join(workspace, ".culture", "runs", runId, "report.html"), "utf8"), /its output is noise/);
  });

  it("refuses an invalid configuration with the file and field named, before loading any model", async () => {
    const path = join(workspace, "bad.json");
    writeFileSync(path, JSON.stringify({ population: { size: 1 } }));
    const io = captureIO(workspace);
    assert.equal(await runCli(["run", "--config", path], io), 1);
    assert.match(io.stderr(), /bad\.json/);
    assert.match(io.stderr(), /population\.size/);
  });
});

/** A small session so the test stays quick: short answers, a small held-out bank, one probe prompt. */
function writeConfig(dir: string): string {
  const path = join(dir, "session.json");
  const config = { sampling: { maxTokens: 48 }, problemsPerProposer: 2, evaluation: { every: 4, heldOutProblems: 5, probePrompts: ["Tell me a joke."], probeSamples: 1 } };
  writeFileSync(path, JSON.stringify(config));
  return path;
}
