// What the editor asks of the engine, through the engine process as the editor asks it: a session's status,
// pause and cancel; the knowledge base and run records read while (and after) a session writes them; human notes;
// export. Runs the tiny model on one thread.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineClient } from "../../agents/engine/engineClient";
import {
  kbEntry, kbNewest, kbSearch, kbStatus, modelsDownload, notesAddHuman, runsExport, runsGet, runsList, sessionAgents, sessionCancel, sessionGeneration, sessionPause,
  sessionNotice, sessionResume, sessionRun, sessionStatus, sessionStatusChanged,
} from "../../agents/engine/protocol";
import type { SessionStatus } from "../../agents/engine/protocol";
import { CultureLabError } from "../../workspace-kb/errors";

const config = (generations: number) => ({
  generations,
  population: { size: 3, proposers: 1 },
  problemsPerProposer: 1,
  sampling: { maxTokens: 32 },
  evaluation: { every: 2, heldOutProblems: 5, probePrompts: ["Tell me a joke."], probeSamples: 1 },
  runtime: { model: "tiny", threads: 1 },
});

describe("the engine's API for the editor", function () {
  this.timeout(300_000);
  let workspace: string;
  let engine: EngineClient;
  const statuses: SessionStatus[] = [];
  const notices: Array<{ message: string; level: string }> = [];
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), "cl-engine-api-"));
    engine = await EngineClient.start();
    engine.onNotification(sessionStatusChanged, (s) => statuses.push(s));
    engine.onNotification(sessionNotice, (n) => notices.push(n));
  });
  after(async () => {
    await engine?.dispose();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("reports an empty workspace as such, without creating anything", async () => {
    const status = await engine.request(kbStatus, { workspaceDir: workspace });
    assert.equal(status.exists, false);
    assert.deepEqual(await engine.request(runsList, { workspaceDir: workspace }), []);
    assert.equal(existsSync(join(workspace, ".culture", "kb.json")), false);
  });

  it("runs a session whose status goes starting → running → idle, counting generations and calls", async () => {
    statuses.length = 0;
    const result = await engine.request(sessionRun, { workspaceDir: workspace, config: config(2), configSource: "the test", modelNamed: true });
    const states = statuses.map((s) => s.state);
    assert.equal(states[0], "starting");
    assert.ok(states.includes("running"));
    assert.equal(states.at(-1), "idle");
    const last = statuses.at(-2)!;
    assert.equal(last.runId, result.runId);
    assert.equal(last.generationsDone, 2);
    assert.ok(last.calls > 0 && last.completionTokens > 0);
    assert.equal((await engine.request(sessionStatus, {})).state, "idle");
  });

  it("tells the user what the run is as information, and that its model is noise as a warning", () => {
    const level = (pattern: RegExp) => notices.filter((n) => pattern.test(n.message)).map((n) => n.level);
    assert.deepEqual(level(/^Plan: /), ["info"]);
    assert.deepEqual(level(/^Decoding on /), ["info"]);
    assert.deepEqual(level(/^llama\.cpp: /), ["info"]);
    assert.deepEqual(level(/random-weight test model/), ["warning"]);
  });

  it("reads the run back: its generations, a one-line verdict, and an export with a CSV of every series", async () => {
    const [run] = await engine.request(runsList, { workspaceDir: workspace });
    assert.ok(run);
    assert.equal(run.generations, 2);
    assert.equal(run.plannedGenerations, 2);
    assert.equal(run.model.length > 0, true);
    assert.match(run.verdict, /no measurable effect|accumulating|hurt/);
    assert.ok(run.reportPath && existsSync(run.reportPath));
    const detail = await engine.request(runsGet, { workspaceDir: workspace, runId: run.runId });
    assert.deepEqual(detail.generations.map((g) => g.generation), [0, 1]);
    assert.ok(detail.calls > 0);
    assert.ok(detail.agents.length >= 3 && detail.agents.every((a) => a.calls > 0 && a.roles.length > 0), "per agent and generation: calls by role");
    assert.equal(detail.agents.reduce((n, a) => n + a.calls, 0), detail.calls);
    assert.match(detail.caveats.join(" "), /output is noise/, "a tiny-model run carries the noise caveat");
    const target = join(workspace, "export");
    const { files } = await engine.request(runsExport, { workspaceDir: workspace, runId: run.runId, targetDir: target });
    assert.deepEqual(files.map((f) => f.slice(target.length + run.runId.length + 2)).sort(), ["calls.jsonl", "generations.jsonl", "manifest.json", "report.html", "series.csv"]);
    const csv = readFileSync(files.find((f) => f.endsWith("series.csv"))!, "utf8").trim().split("\n");
    assert.equal(csv.length, 3, "a header and one row per generation");
    const header = csv[0]!.split(",");
    assert.ok(["generation", "validProposals", "completionTokens", "phaseMs.metrics"].every((c) => header.includes(c)), header.join(","));
    assert.equal(readFileSync(files.find((f) => f.endsWith("generations.jsonl"))!, "utf8").trim().split("\n").length, 2);
  });

  it("adds a human note that the next session takes in as an entry by human", async () => {
    const added = await engine.request(notesAddHuman, { workspaceDir: workspace, title: "Look at the output first", text: "Then at the input." });
    assert.match(readFileSync(added.notesPath, "utf8").split("\n")[added.line - 1]!, /### Look at the output first/);
    await engine.request(sessionRun, { workspaceDir: workspace, config: config(1), configSource: "the test", modelNamed: true });
    const humans = await engine.request(kbNewest, { workspaceDir: workspace, limit: 50, kinds: ["human"] });
    assert.deepEqual(humans.map((h) => [h.author, h.title]), [["human", "Look at the output first"]]);
  });

  it("reads the knowledge base: status, newest entries with where to read them, one entry whole, search", async () => {
    const status = await engine.request(kbStatus, { workspaceDir: workspace });
    assert.equal(status.exists, true);
    assert.equal(status.generations, 3);
    assert.equal(status.writer, undefined, "nobody writes it after the session");
    const newest = await engine.request(kbNewest, { workspaceDir: workspace, limit: 3, maxChars: 10 });
    assert.ok(newest.length > 0 && newest.length <= 3);
    const first = newest[0]!;
    assert.ok(first.text.length <= 10);
    assert.equal(first.location.anchor, `kb-${first.id}`);
    assert.match(readFileSync(first.location.file, "utf8"), new RegExp(`id="kb-${first.id}"`));
    const whole = await engine.request(kbEntry, { workspaceDir: workspace, id: first.id });
    assert.equal(whole.truncated, 0);
    assert.equal(whole.text.length, first.text.length + first.truncated);
    await assert.rejects(engine.request(kbEntry, { workspaceDir: workspace, id: "n-zzzz" }), (e: unknown) => e instanceof CultureLabError && e.code === "entry-missing");
    const hits = await engine.request(kbSearch, { workspaceDir: workspace, query: whole.title, k: 2 });
    assert.ok(hits.length > 0);
  });

  it("pauses a session between calls, resumes it, and stops it on cancel with the knowledge base released", async () => {
    statuses.length = 0;
    const run = engine.request(sessionRun, { workspaceDir: workspace, config: config(50), configSource: "the test", modelNamed: true });
    run.catch(() => undefined); // observed below, after the pause
    const firstGeneration = new Promise<void>((resolve) => engine.onNotification(sessionGeneration, () => resolve()));
    await firstGeneration;
    const paused = await engine.request(sessionPause, {});
    assert.equal(paused.state, "paused");
    await new Promise((r) => setTimeout(r, 1500)); // calls in flight finish
    const callsWhenPaused = (await engine.request(sessionStatus, {})).calls;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await engine.request(sessionStatus, {})).calls, callsWhenPaused, "no call starts while paused");
    const agents = await engine.request(sessionAgents, { workspaceDir: workspace });
    assert.ok(agents.some((a) => Object.keys(a.roles).length > 0), "agents report their calls by role");
    const playing = agents.filter((a) => Object.keys(a.roles).length > 0);
    assert.ok(playing.every((a) => a.model !== undefined && /\(local\)$/.test(a.model)), `each playing agent names its model: ${playing.map((a) => a.model).join(", ")}`);
    assert.equal((await engine.request(sessionResume, {})).state, "running");
    const { wasRunning } = await engine.request(sessionCancel, {});
    assert.equal(wasRunning, true);
    await assert.rejects(run, (e: unknown) => e instanceof CultureLabError && e.code === "cancelled" && /finished generation is saved/.test(e.message));
    assert.equal((await engine.request(sessionStatus, {})).state, "idle");
    assert.equal(existsSync(join(workspace, ".culture", "session.owner.json")), false, "the lock is released");
    assert.equal((await engine.request(kbStatus, { workspaceDir: workspace })).writer, undefined);
  });

  it("keeps a knowledge base in another folder when configured, and reads it when asked by that folder", async () => {
    const other = mkdtempSync(join(tmpdir(), "cl-engine-folder-"));
    try {
      await engine.request(sessionRun, { workspaceDir: other, config: { ...config(1), knowledgeBaseFolder: "lab/kb" }, configSource: "the test", modelNamed: true });
      assert.equal(existsSync(join(other, "lab", "kb", "events.jsonl")), true);
      assert.equal(existsSync(join(other, ".culture")), false);
      assert.equal((await engine.request(runsList, { workspaceDir: other, folder: "lab/kb" })).length, 1);
      assert.deepEqual(await engine.request(runsList, { workspaceDir: other }), []);
      await assert.rejects(engine.request(kbStatus, { workspaceDir: other, folder: "../elsewhere" }), (e: unknown) => e instanceof CultureLabError && e.code === "bad-setting");
      await assert.rejects(
        engine.request(sessionRun, { workspaceDir: other, config: { ...config(1), knowledgeBaseFolder: "/etc" }, configSource: "the test", modelNamed: true }),
        (e: unknown) => e instanceof CultureLabError && /knowledgeBaseFolder/.test(e.message),
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("refuses a second session while one runs", async () => {
    const first = engine.request(sessionRun, { workspaceDir: workspace, config: config(50), configSource: "the test", modelNamed: true });
    first.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(
      engine.request(sessionRun, { workspaceDir: workspace, config: config(1), configSource: "the test", modelNamed: true }),
      (e: unknown) => e instanceof CultureLabError && e.code === "session-running",
    );
    await engine.request(sessionCancel, {});
    await first.catch(() => undefined);
  });
});

describe("downloading the recommended model without a network", function () {
  this.timeout(120_000);
  it("fails at once with a message that says to pass a local file", async () => {
    const engine = await EngineClient.start();
    const modelsDir = mkdtempSync(join(tmpdir(), "cl-models-"));
    try {
      await assert.rejects(
        engine.request(modelsDownload, { model: "hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M", modelsDir }),
        (e: unknown) => e instanceof CultureLabError && /model-offline|model-download-failed/.test(e.code) && /local|\.gguf/.test(`${e.message} ${e.hint}`),
      );
    } finally {
      await engine.dispose();
      rmSync(modelsDir, { recursive: true, force: true });
    }
  });
});

describe("an engine that cannot start", () => {
  it("says how it ended and what it printed, not an internal error", async () => {
    const start = EngineClient.start({
      command: { executable: process.execPath, args: ["-e", "console.error(\"Error: Cannot find package 'x'\"); process.exit(1)"], cwd: process.cwd() },
    });
    await assert.rejects(start, (e: unknown) => e instanceof CultureLabError && e.code === "engine-start-failed" && /exited with code 1/.test(e.message) && /Cannot find package 'x'/.test(e.message));
  });
});
