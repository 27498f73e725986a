import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCalls } from "../../agents/loop/recordedCalls";
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

  describe("read again as the run goes on (its report after every generation, the live panel)", () => {
    const started = () => {
      const runId = newRunId();
      const recorder = RunRecorder.create(dir, { runId, startedAt: "now", kbRoundAtStart: 0, config: {}, models: [], versions: {} });
      return { recorder, path: join(dir, "runs", runId, "calls.jsonl") };
    };
    /** The calls as a whole read of the file gives them. */
    const whole = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as unknown);

    it("parses only the lines appended since the last read, and gives every call as a whole read does", () => {
      const { recorder, path } = started();
      recorder.record(call("first"));
      recorder.record(call("second"));
      assert.equal(readCalls(path).parsedBytes, statSync(path).size);
      const before = statSync(path).size;
      recorder.record(call("third"));
      const again = readCalls(path);
      assert.equal(again.parsedBytes, statSync(path).size - before, "only the third call's line was parsed");
      assert.deepEqual(again.calls, whole(path));
      recorder.close();
    });

    it("reads a line cut short once it is complete, and keeps the lines before it meanwhile", () => {
      const { recorder, path } = started();
      recorder.record(call("kept"));
      recorder.close();
      const line = `${JSON.stringify({ ...call("later"), seq: 1, agentSeq: 1 })}\n`;
      appendFileSync(path, line.slice(0, 20));
      const torn = readCalls(path);
      assert.deepEqual([torn.calls.length, torn.tornTail], [1, true]);
      appendFileSync(path, line.slice(20));
      const mended = readCalls(path);
      assert.deepEqual([mended.calls.map((c) => c.output), mended.tornTail], [["kept", "later"], false]);
    });

    it("reads a file rewritten in place, or replaced, from the start, not as an append", () => {
      const { recorder, path } = started();
      recorder.record(call("original"));
      recorder.close();
      readCalls(path);
      const other = (output: string, seq: number) => `${JSON.stringify({ ...call(output), seq, agentSeq: seq })}\n`;
      writeFileSync(path, other("edited", 0) + other("added", 1)); // the same file, longer
      assert.deepEqual(readCalls(path).calls.map((c) => c.output), ["edited", "added"]);
      writeFileSync(`${path}.new`, other("replaced", 0));
      renameSync(`${path}.new`, path);
      assert.deepEqual(readCalls(path).calls.map((c) => c.output), ["replaced"]);
    });

    it("names the damaged line by its number in the whole file", () => {
      const { recorder, path } = started();
      recorder.record(call("a"));
      recorder.record(call("b"));
      readCalls(path);
      appendFileSync(path, "not json\n");
      assert.throws(() => readCalls(path), (e: unknown) => e instanceof CultureLabError && e.code === "run-corrupt" && /line 3 is not JSON/.test(e.message));
      recorder.close();
    });
  });

  it("refuses a run id that could escape the runs folder", () => {
    assert.throws(() => readRun(dir, "../../etc"), (e: unknown) => e instanceof CultureLabError && e.code === "run-id-invalid");
  });

  it("says which run is missing", () => {
    assert.throws(() => readRun(dir, "nope"), /No run 'nope'/);
  });
});
