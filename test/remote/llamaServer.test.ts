// Agents on a real llama-server (built once from node-llama-cpp's bundled llama.cpp source, see
// test/remote/llamaServer.ts) serving the project's tiny random-weight model. Outside CI a machine without the
// build tools skips these tests and says why; in CI (CI=true) that is a failure.
import { strict as assert } from "node:assert";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { openSessionRuntime, runModelSession } from "../../agents/loop/modelSession";
import { openRuntime, type Runtime } from "../../agents/runtime/runtime";
import type { RemoteModelInput } from "../../agents/remote/remoteModel";
import { tinyModelDir, type TinyModelDir } from "../runtime/tinyModel";
import { LlamaServer, llamaServerOrWhyNot } from "./llamaServer";

/**
 * Tokens of an answer long enough to be interrupted (the tiny model writes a few thousand tokens a second; its
 * trained context, 4096, caps a slot's).
 */
const LONG = 3_500;

const CHOICE = { type: "object", properties: { answer: { enum: ["yes", "no"] } }, required: ["answer"], additionalProperties: false };

describe("agents on a real llama-server", function () {
  let binary: string;
  let tiny: TinyModelDir;
  let server: LlamaServer;
  let runtime: Runtime;
  const remote = (extra: Partial<RemoteModelInput> = {}): RemoteModelInput => ({ backend: "openai", baseUrl: server.baseUrl, model: "tiny", retryBaseMs: 200, ...extra });

  before(async function () {
    // Building llama-server takes minutes, once per machine (cached in ~/.cache/culture-lab/llama.cpp-src).
    this.timeout(60 * 60_000);
    const found = await llamaServerOrWhyNot((line) => /^\[\d+\/\d+\]|building|cloning/.test(line) && console.log(`      ${line}`));
    if ("missing" in found) {
      console.log(`      skipped: llama-server cannot be built here: ${found.missing}`);
      this.skip();
    }
    binary = found.binary;
    tiny = await tinyModelDir("cl-llama-server-");
    // Room for long answers, so a kill or an abort lands mid-answer even on this fast tiny model.
    server = await LlamaServer.start(binary, { model: tiny.modelPath, slots: 2, threads: 1, contextPerSlot: 4096 });
  });
  after(async () => {
    await server?.stop();
    await tiny?.cleanup();
  });
  beforeEach(async () => {
    runtime = await openRuntime({ model: "tiny", threads: 1, gpu: false }, { loadDefaultModel: false });
  });
  afterEach(async () => runtime?.dispose());

  this.timeout(120_000);

  it("answers under a JSON schema with output that passes the door, the server's grammar holding it to the schema", async () => {
    // The grammar bounds the whitespace between tokens, so 256 tokens always hold the answer.
    const agent = await runtime.agent({ id: "a", model: remote(), sampling: { maxTokens: 256, seed: 3 } });
    for (let i = 0; i < 3; i++) {
      const result = await agent.generateJson<{ answer: string }>("Yes or no?", CHOICE);
      assert.ok(result.ok, JSON.stringify(result));
      assert.ok(["yes", "no"].includes(result.value.answer));
      assert.ok(result.usage.completionTokens > 0 && result.usage.promptTokens > 0, "token counts come from the server");
    }
    const manifest = await runtime.manifest();
    assert.equal(manifest.agents[0]!.backend, "openai");
    assert.match(String("servedModel" in manifest.agents[0]! && manifest.agents[0]!.servedModel), /tiny/);
  });

  it("serves more agents than it has slots: every call is answered and the tokens add up", async () => {
    const agents = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => runtime.agent({ id: `a${i}`, model: remote({ maxConcurrent: 6 }), sampling: { maxTokens: 16, seed: i, ignoreEos: true } })));
    const results = await Promise.all(agents.flatMap((a) => [a.generateText("Tell me a story."), a.generateText("Another one.")]));
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok)));
    assert.ok(results.every((r) => r.usage.completionTokens === 16), results.map((r) => r.usage.completionTokens).join(","));
    assert.equal(runtime.accounting().session.completionTokens, 12 * 16);
  });

  it("an abort in the middle of a stream ends the call at once, and the server's slot serves the next call", async () => {
    const agent = await runtime.agent({ id: "a", model: remote(), sampling: { maxTokens: LONG, ignoreEos: true } });
    const controller = new AbortController();
    const started = performance.now();
    const pending = agent.generateText("Go on forever.", { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const result = await pending;
    assert.ok(!result.ok && result.failure === "aborted", JSON.stringify(result).slice(0, 300));
    assert.ok(performance.now() - started < 2_000, "ended long before the answer would have");
    const next = await agent.generateText("Short.", { maxTokens: 8 });
    assert.ok(next.ok, JSON.stringify(next));
  });

  it("a server killed mid-answer and restarted: the calls are retried and answered, the session goes on", async () => {
    const agents = await Promise.all([0, 1, 2].map((i) => runtime.agent({ id: `a${i}`, model: remote({ retries: 8 }), sampling: { maxTokens: LONG, ignoreEos: true, seed: i } })));
    const started = performance.now();
    const pending = agents.map((a) => a.generateText("Keep talking."));
    await new Promise((r) => setTimeout(r, 200));
    const killedAt = performance.now() - started;
    await server.kill();
    await new Promise((r) => setTimeout(r, 500));
    await server.launch();
    const results = await Promise.all(pending);
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.map((r) => (r.ok ? "ok" : r.message))));
    assert.ok(results.every((r) => r.usage.completionTokens === LONG), results.map((r) => r.usage.completionTokens).join(","));
    assert.ok(results.every((r) => r.usage.wallMs > killedAt + 500), "every call was still being answered when the server died");
  });

  it("a server killed for good: after the retry cap the call is recorded as failed with what to do", async () => {
    const agent = await runtime.agent({ id: "a", model: remote({ retries: 1 }), sampling: { maxTokens: LONG, ignoreEos: true } });
    const pending = agent.generateText("Keep talking.");
    await new Promise((r) => setTimeout(r, 300));
    await server.kill();
    const result = await pending;
    await server.launch();
    assert.ok(!result.ok && result.failure === "server-error", JSON.stringify(result).slice(0, 300));
    assert.match(result.message, /gave up after 2 attempts[\s\S]*start the inference server/);
    assert.equal(runtime.accounting().agents.a?.calls, 1, "the failed attempt is recorded");
  });

  it("runs a short loop session of a mixed population (two agents on the server, one local) and names each agent's model", async function () {
    this.timeout(300_000);
    const workspace = await mkdtemp(join(tmpdir(), "cl-mixed-"));
    try {
      const config = parseLoopConfig(
        {
          generations: 1,
          runtime: { model: tiny.modelPath, threads: 1, gpu: false, allowDownload: false },
          sampling: { maxTokens: 24 },
          population: { size: 3, agents: [{ model: remote({ maxConcurrent: 4 }), persona: "A remote thinker." }, { model: remote({ maxConcurrent: 4 }), sampling: { temperature: 1.2 } }, {}] },
          evaluation: { heldOutProblems: 5, probeSamples: 1, probePrompts: ["Say something."] },
          sleep: { every: 0 },
        },
        "the test",
      );
      const session = await openSessionRuntime(config, [], { modelNamed: true });
      try {
        const result = await runModelSession({ workspaceDir: workspace, config, runtime: session });
        assert.equal(result.summary.generations.length, 1);
        const usage = session.accounting();
        for (const id of Object.keys(usage.agents)) assert.ok(usage.agents[id]!.completionTokens > 0, `agent ${id} was answered`);
        const runs = join(workspace, ".culture", "runs");
        const [runId] = await readdir(runs);
        const runManifest = JSON.parse(await readFile(join(runs, runId!, "manifest.json"), "utf8")) as { agents: Array<{ backend: string; persona: string }>; reproducibility: string };
        assert.deepEqual(runManifest.agents.map((a) => a.backend).sort(), ["local", "openai", "openai"]);
        assert.match(runManifest.reproducibility, /^best effort/);
        assert.ok(runManifest.agents.some((a) => a.persona === "A remote thinker."));
        const report = await readFile(join(runs, runId!, "report.html"), "utf8");
        assert.match(report, new RegExp(`tiny \\(${server.baseUrl.replace(/[/.]/g, "\\$&")}\\)`), "the report names the server model per agent");
      } finally {
        await session.dispose();
      }
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });

  it("a population wholly on the server loads no local model", async function () {
    this.timeout(300_000);
    const workspace = await mkdtemp(join(tmpdir(), "cl-remote-"));
    try {
      const config = parseLoopConfig(
        {
          generations: 1,
          runtime: { model: join(workspace, "no-such-model.gguf"), allowDownload: false },
          sampling: { maxTokens: 16 },
          population: { size: 2, agents: [{ model: remote() }] },
          evaluation: { heldOutProblems: 5, probeSamples: 1, probePrompts: ["Say something."] },
          sleep: { every: 0 },
        },
        "the test",
      );
      const session = await openSessionRuntime(config, [], { modelNamed: true });
      try {
        const result = await runModelSession({ workspaceDir: workspace, config, runtime: session });
        assert.equal(result.summary.generations.length, 1);
        assert.deepEqual((await session.manifest()).models, []);
      } finally {
        await session.dispose();
      }
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
