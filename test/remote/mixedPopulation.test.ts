import { strict as assert } from "node:assert";
import { allRemote, memberAt, parseLoopConfig } from "../../agents/loop/loopConfig";
import { modelAgentFactory } from "../../agents/loop/modelAgent";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { openSessionRuntime, runModelSession } from "../../agents/loop/modelSession";
import { runDetail } from "../../agents/report/runRecords";
import { openRuntime } from "../../agents/runtime/runtime";
import { liveGenerations } from "../../webview/fromRecords";
import { initialState, reduce } from "../../webview/panelState";
import { FakeServer, streamAnswer } from "./fakeServer";

describe("a mixed population's configuration", () => {
  const server = (baseUrl: string, model: string) => ({ backend: "openai", baseUrl, model });

  it("gives agent i the entry i mod the list's length, laid over the session's persona and sampling", async () => {
    const fake = new FakeServer((_req, res) => streamAnswer(res, ["ok"]));
    const baseUrl = await fake.start();
    const runtime = await openRuntime({ model: "tiny", threads: 1, gpu: false }, { loadDefaultModel: false });
    try {
      const config = parseLoopConfig(
        {
          sampling: { temperature: 0.5, topP: 0.9 },
          population: { size: 3, agents: [{ model: server(baseUrl, "big"), persona: "A careful judge." }, { model: server(baseUrl, "small"), sampling: { temperature: 1.3 } }] },
        },
        "the test",
      );
      assert.ok(allRemote(config));
      const factory = modelAgentFactory(runtime, config.sampling, (i) => memberAt(config, i));
      const agents = await Promise.all([0, 1, 2].map((index) => factory({ id: `a${index}`, index, seed: index, persona: `persona ${index}`, generation: 0 })));
      for (const agent of agents) await agent.reply({ role: "solver", prompt: "hi", schema: null, facts: {}, signal: new AbortController().signal });
      const bodies = fake.chats().map((s) => s.body!);
      assert.deepEqual(bodies.map((b) => b.model), ["big", "small", "big"]);
      assert.deepEqual(bodies.map((b) => b.temperature), [0.5, 1.3, 0.5]);
      assert.deepEqual(bodies.map((b) => b.top_p), [0.9, 0.9, 0.9]);
      assert.deepEqual(
        bodies.map((b) => (b.messages as Array<{ role: string; content: string }>)[0]!.content),
        ["A careful judge.", "persona 1", "A careful judge."],
      );
      assert.deepEqual(agents.map((a) => a.modelName), [`big (${baseUrl})`, `small (${baseUrl})`, `big (${baseUrl})`]);
    } finally {
      await runtime.dispose();
      await fake.stop();
    }
  });

  it("tells the session's log about a call the server could not answer, and the agent's reply says it failed", async () => {
    const fake = new FakeServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html></html>");
    });
    const baseUrl = await fake.start();
    const runtime = await openRuntime({ model: "tiny", threads: 1, gpu: false }, { loadDefaultModel: false });
    try {
      const told: string[] = [];
      const config = parseLoopConfig({ population: { agents: [{ model: server(baseUrl, "m") }] } }, "the test");
      const factory = modelAgentFactory(runtime, {}, (i) => memberAt(config, i), (message) => told.push(message));
      const agent = await factory({ id: "a0", index: 0, seed: 0, persona: "", generation: 0 });
      const reply = await agent.reply({ role: "solver", prompt: "hi", schema: null, facts: {}, signal: new AbortController().signal });
      assert.ok(!reply.ok && reply.reason === "server-error");
      assert.equal(told.length, 1);
      assert.match(told[0]!, /content type "text\/html"/);
    } finally {
      await runtime.dispose();
      await fake.stop();
    }
  });

  it("is not wholly remote when an entry names a local model or none", () => {
    const remote = server("http://127.0.0.1:1/v1", "m");
    assert.equal(allRemote(parseLoopConfig({ population: { agents: [{ model: remote }, {}] } }, "t")), false);
    assert.equal(allRemote(parseLoopConfig({ population: { agents: [{ model: remote }, { model: "tiny" }] } }, "t")), false);
    assert.equal(allRemote(parseLoopConfig({}, "t")), false);
  });

  it("refuses an API key written into the configuration, and a server address that is not http(s), saying which setting", () => {
    assert.throws(
      () => parseLoopConfig({ population: { agents: [{ model: { ...server("http://127.0.0.1:1/v1", "m"), apiKey: "sk-oops" } }] } }, "run.json"),
      (e: Error) => /population\.agents\.0\.model/.test(e.message) && /apiKey/.test(e.message),
    );
    assert.throws(() => parseLoopConfig({ population: { agents: [{ model: server("ftp://host/v1", "m") }] } }, "run.json"), /population\.agents\.0\.model/);
    assert.throws(() => parseLoopConfig({ population: { agents: [{ model: { ...server("http://h/v1", "m"), apiKeyEnv: "sk-123 secret" } }] } }, "run.json"), /environment variable's name/);
  });
});

describe("a run's per-agent rows for the panel", () => {
  it("name each agent's backend and model from the run manifest, and stay as they were for runs without per-agent models", async () => {
    const { withModels } = await import("../../agents/report/runRecords");
    const row = (agentId: string) => ({ agentId, generation: 0, roles: [], calls: 1, promptTokens: 1, completionTokens: 1, callMs: 1, attempts: 0, solved: 0 });
    const named = withModels([row("a0"), row("a1"), row("a2")], [
      { id: "a0", backend: "openai", model: "qwen", baseUrl: "http://h:8000/v1" },
      { id: "a1", backend: "local", model: "tiny", modelPath: "/m/tiny.gguf" },
    ]);
    assert.deepEqual(named.map((r) => r.model), ["qwen at http://h:8000/v1 (server)", "tiny (local)", undefined]);
    assert.deepEqual(withModels([row("a0")], undefined), [row("a0")]);
  });
});

describe("the live panel's per-agent rows of a session on servers", () => {
  it("name every agent's backend and model, turnover's newcomers included, as the engine's records give them to the panel", async function () {
    this.timeout(120_000);
    const fake = new FakeServer((_req, res, n) => streamAnswer(res, [`answer ${n}`]));
    const baseUrl = await fake.start();
    const workspace = await mkdtemp(join(tmpdir(), "cl-live-models-"));
    const remote = (model: string) => ({ backend: "openai" as const, baseUrl, model, retries: 0 });
    try {
      const config = parseLoopConfig(
        {
          generations: 2,
          runtime: { model: join(workspace, "no-such-model.gguf"), allowDownload: false },
          sampling: { maxTokens: 16 },
          population: { size: 2, agents: [{ model: remote("big") }, { model: remote("small") }] },
          problemsPerProposer: 1,
          // After the first generation one agent retires and a newcomer takes its seat.
          turnover: { every: 1, fraction: 0.5 },
          evaluation: { every: 5, heldOutProblems: 5, probeSamples: 1, probePrompts: ["Say something."] },
          sleep: { every: 0 },
        },
        "the test",
      );
      const runtime = await openSessionRuntime(config, [], { modelNamed: true });
      let runId: string;
      try {
        runId = (await runModelSession({ workspaceDir: workspace, config, runtime })).runId;
      } finally {
        await runtime.dispose();
      }
      const kb = await openKnowledgeBaseReadOnly(workspace);
      try {
        const detail = await runDetail(join(workspace, ".culture"), runId, kb);
        const born = kb.agents().filter((a) => a.bornGeneration > 0).map((a) => a.id);
        assert.ok(born.length > 0, "an agent joined after the first generation");
        // What the extension posts to the panel after each committed generation, and what the panel then holds.
        const messages = liveGenerations(runId, detail.generations, detail.agents, 1);
        const state = messages.reduce(reduce, initialState());
        const rows = state.run!.agents ?? [];
        assert.ok(rows.some((r) => born.includes(r.agentId)), "the newcomer has rows");
        for (const r of rows) assert.match(r.model ?? "(none)", new RegExp(`^(big|small) at ${baseUrl.replace(/[/.]/g, "\\$&")} \\(server\\)$`), `${r.agentId} in generation ${r.generation}`);
        assert.deepEqual(new Set(rows.map((r) => r.model!.split(" ")[0])), new Set(["big", "small"]), "the two server models are told apart");
      } finally {
        await kb.close();
      }
      assert.equal((await readdir(join(workspace, ".culture", "runs", runId))).includes("manifest.json.tmp"), false, "no half-written manifest is left");
    } finally {
      await fake.stop();
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
