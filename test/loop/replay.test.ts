import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { TINY_SPEC, writeRandomLlama } from "../../agents/gguf/randomLlama";
import { NOISE_CAVEAT } from "../../agents/loop/modelSession";
import { escapeHtml } from "../../agents/report/escapeHtml";
import { describeDivergence, divergenceAdvice, firstDivergence } from "../../agents/loop/replay";
import type { CallRecord } from "../../agents/loop/runRecorder";
import { captureIO } from "../helpers/captureIO";

describe("culture-lab replay on the tiny model", function () {
  this.timeout(300_000);
  let workspace: string;
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), "cl-replay-"));
    // The tiny model named by its path, not as "tiny": that it is noise is read from the file.
    await writeRandomLlama(join(workspace, "random.gguf"), TINY_SPEC);
    // Two generations, the second both a sleep and an evaluation generation: every kind of generation is replayed.
    writeFileSync(join(workspace, "session.json"), JSON.stringify({ sampling: { maxTokens: 40 }, sleep: { every: 2 }, evaluation: { every: 2, heldOutProblems: 5, probePrompts: ["Tell me a joke."], probeSamples: 1 }, runtime: { model: join(workspace, "random.gguf"), threads: 1 } }));
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  async function run(): Promise<string> {
    const io = captureIO(workspace);
    assert.equal(await runCli(["run", "--config", "session.json", "--generations", "2"], io), 0, io.stderr());
    assert.match(io.stderr(), /random-llama-\S+ is the project's random-weight test model: its output is noise/, "the console says the output is noise");
    const runId = /run (\S+) finished/.exec(io.stdout())![1]!;
    const report = readFileSync(join(workspace, ".culture", "runs", runId, "report.html"), "utf8");
    assert.ok(report.includes(`<p class="caveat">${escapeHtml(NOISE_CAVEAT)}</p>`), "the report carries the noise banner");
    return runId;
  }

  it("finds no divergence in a run with sleep and evaluation generations that began on an already used knowledge base", async () => {
    await run();
    const second = await run();
    const manifest = JSON.parse(readFileSync(join(workspace, ".culture", "runs", second, "manifest.json"), "utf8")) as { config: { runtime: { decoding: string } } };
    assert.equal(manifest.config.runtime.decoding, "exact", "the manifest records how the run was decoded");
    const io = captureIO(workspace);
    assert.equal(await runCli(["replay", second], io), 0, io.stdout() + io.stderr());
    assert.match(io.stdout(), /No divergence: all \d+ calls/);
  });

  it("reports the first call whose recorded output was changed", async () => {
    const runId = await run();
    const callsPath = join(workspace, ".culture", "runs", runId, "calls.jsonl");
    const lines = readFileSync(callsPath, "utf8").trimEnd().split("\n");
    const third = JSON.parse(lines[2]!) as CallRecord;
    lines[2] = JSON.stringify({ ...third, output: "edited by hand" });
    writeFileSync(callsPath, `${lines.join("\n")}\n`);
    const io = captureIO(workspace);
    assert.equal(await runCli(["replay", runId], io), 3);
    assert.match(io.stdout(), new RegExp(`First divergence at call #2 \\(generation ${third.generation}, ${third.agentId}, ${third.role}\\): the output differs from character 0 on`));
    assert.match(io.stdout(), /replayed: ".+/);
    assert.match(io.stdout(), /compare the two calls\.jsonl files/, "it says what to do");
  });

  it("says which run is missing", async () => {
    const io = captureIO(workspace);
    assert.equal(await runCli(["replay", "no-such-run"], io), 1);
    assert.match(io.stderr(), /No run 'no-such-run'/);
  });
});

describe("finding the first divergence", () => {
  const call = (seq: number, output: string): CallRecord => ({ seq, agentSeq: seq, generation: 0, agentId: "a", role: "solver", prompt: "p", sampling: {}, output, outcome: "ok", promptTokens: 1, completionTokens: 1, ms: 1 });
  it("is nothing for identical records", () => assert.equal(firstDivergence([call(0, "x")], [call(0, "x")]), undefined));
  it("notices a replay that stops early", () => assert.equal(firstDivergence([call(0, "x"), call(1, "y")], [call(0, "x")])?.what, "replay-ended"));
  it("notices a changed output", () => assert.equal(firstDivergence([call(0, "x")], [call(0, "z")])?.what, "output"));
  it("shows where a long output first differs, not only its beginning", () => {
    const same = "a".repeat(500);
    const message = describeDivergence(firstDivergence([call(7, `${same}XYZ`)], [call(7, `${same}QRS`)]), 1);
    assert.match(message, /call #7 \(generation 0, a, solver\): the output differs from character 500 on/);
    assert.match(message, /recorded: …"a+XYZ"/);
    assert.match(message, /replayed: …"a+QRS"/);
  });
  it("tells a batched run's reader why it diverged and how to get an exact run", () => {
    assert.match(describeDivergence(firstDivergence([call(0, "x")], [call(0, "z")]), 1, divergenceAdvice("batched")), /runtime\.decoding "exact"/);
  });
  it("matches calls by agent, whatever order concurrent agents finished in", () => {
    const other = (seq: number): CallRecord => ({ ...call(seq, "y"), agentId: "b", agentSeq: 0 });
    assert.equal(firstDivergence([call(0, "x"), other(1)], [other(0), { ...call(1, "x"), agentSeq: 0 }]), undefined);
  });
});
