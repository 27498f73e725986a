import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunRecorder, newRunId, readRun } from "../../agents/loop/runRecorder";
import { CultureLabError } from "../../workspace-kb/errors";

describe("the run record", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cl-run-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const call = (output: string) => ({
    generation: 0, agentId: "a1", role: "solver", prompt: "p", sampling: { seed: 1 }, output, outcome: "ok",
    promptTokens: 3, completionTokens: 5, ms: 12,
  });

  it("reads back every call in order with its sequence number", () => {
    const runId = newRunId();
    const recorder = RunRecorder.create(dir, { runId, startedAt: "now", kbRoundAtStart: 0, config: { x: 1 }, models: [], versions: {} });
    recorder.record(call("first"));
    recorder.record(call("second"));
    recorder.close();
    const run = readRun(dir, runId);
    assert.deepEqual(run.calls.map((c) => [c.seq, c.output]), [[0, "first"], [1, "second"]]);
    assert.deepEqual(run.manifest.config, { x: 1 });
    assert.equal(run.tornTail, false);
  });

  it("keeps the complete calls and reports a line cut short by a crash", () => {
    const runId = newRunId();
    const recorder = RunRecorder.create(dir, { runId, startedAt: "now", kbRoundAtStart: 0, config: {}, models: [], versions: {} });
    recorder.record(call("kept"));
    recorder.close();
    appendFileSync(join(dir, "runs", runId, "calls.jsonl"), '{"seq":1,"outp');
    const run = readRun(dir, runId);
    assert.equal(run.calls.length, 1);
    assert.equal(run.tornTail, true);
  });

  it("refuses a run id that could escape the runs folder", () => {
    assert.throws(() => readRun(dir, "../../etc"), (e: unknown) => e instanceof CultureLabError && e.code === "run-id-invalid");
  });

  it("says which run is missing", () => {
    assert.throws(() => readRun(dir, "nope"), /No run 'nope'/);
  });
});
