import assert from "node:assert/strict";
import { CultureLabError } from "../../workspace-kb/errors";
import { EngineClient } from "../../agents/engine/engineClient";
import type { EngineExit } from "../../agents/engine/engineClient";
import {
  engineHello,
  runtimeAccounting,
  runtimeAddAgent,
  runtimeCallFinished,
  runtimeGenerateJson,
  runtimeGenerateText,
  runtimeOpen,
} from "../../agents/engine/protocol";
import type { CallUsage } from "../../agents/runtime/accounting";
import { tinyModelDir } from "../runtime/tinyModel";
import type { TinyModelDir } from "../runtime/tinyModel";

const isGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe("the engine process", function () {
  this.timeout(120_000);
  let tiny: TinyModelDir;
  let client: EngineClient;
  const openTiny = () => client.request(runtimeOpen, { config: { model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1 } });

  before(async () => {
    tiny = await tinyModelDir("cl-engine-");
    client = await EngineClient.start();
  });
  after(async () => {
    await client?.dispose();
    await tiny?.cleanup();
  });

  it("runs in its own process and serves a model session over the pipe, streaming call accounting", async () => {
    const hello = await client.request(engineHello, {});
    assert.notEqual(hello.pid, process.pid);
    assert.equal(hello.pid, client.pid);
    const usages: CallUsage[] = [];
    const stop = client.onNotification(runtimeCallFinished, (u) => usages.push(u));
    const manifest = await openTiny();
    assert.equal(manifest.models[0]!.architecture, "llama");
    await client.request(runtimeAddAgent, { spec: { id: "a", sampling: { seed: 1, maxTokens: 12 } } });
    const text = await client.request(runtimeGenerateText, { agentId: "a", prompt: "Hello" });
    assert.ok(text.ok);
    const json = await client.request(runtimeGenerateJson, {
      agentId: "a",
      prompt: "Yes or no?",
      schema: { type: "object", properties: { answer: { enum: ["yes", "no"] } }, required: ["answer"] },
      maxTokens: 64,
    });
    assert.ok(json.ok, json.ok ? "" : json.message);
    assert.equal((await client.request(runtimeAccounting, {})).agents.a!.calls, 2);
    stop();
    assert.deepEqual(
      usages.map((u) => u.agentId),
      ["a", "a"],
    );
  });

  it("decodes on one libuv worker, even when the caller's environment asks for more, and its manifest says so", async () => {
    // One worker keeps every decode on one thread and so on one OpenMP team (see engine/decodingEnv.ts).
    const saved = process.env.UV_THREADPOOL_SIZE;
    process.env.UV_THREADPOOL_SIZE = "4";
    const own = await EngineClient.start();
    try {
      const manifest = await own.request(runtimeOpen, { config: { model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1 } });
      assert.match(manifest.llamaBuild, /; decodes on one libuv worker \(UV_THREADPOOL_SIZE=1\)$/);
    } finally {
      if (saved === undefined) delete process.env.UV_THREADPOOL_SIZE;
      else process.env.UV_THREADPOOL_SIZE = saved;
      await own.dispose();
    }
  });

  it("returns the engine's CultureLabErrors with their code and hint", async () => {
    await assert.rejects(client.request(runtimeGenerateText, { agentId: "nobody", prompt: "?" }), (e: unknown) => {
      assert.ok(e instanceof CultureLabError);
      assert.equal(e.code, "agent-unknown");
      assert.match(e.hint ?? "", /addAgent/);
      return true;
    });
  });

  it("aborts a generation in the engine when the caller's signal aborts", async () => {
    await client.request(runtimeAddAgent, { spec: { id: "long", sampling: { maxTokens: 1500 } } });
    const controller = new AbortController();
    const call = client.request(runtimeGenerateText, { agentId: "long", prompt: "Go on." }, controller.signal);
    setTimeout(() => controller.abort(), 30);
    const result = await call;
    assert.equal(!result.ok && result.failure, "aborted");
    assert.ok(result.usage.completionTokens < 1500);
  });

  it("when the engine is killed mid-call, the caller gets a clear error, and a restarted engine works", async () => {
    await client.request(runtimeAddAgent, { spec: { id: "doomed", sampling: { maxTokens: 1500 } } });
    const exits: EngineExit[] = [];
    const stop = client.onExit((e) => exits.push(e));
    const oldPid = client.pid!;
    const call = client.request(runtimeGenerateText, { agentId: "doomed", prompt: "Go on." });
    setTimeout(() => process.kill(oldPid, "SIGKILL"), 30);
    await assert.rejects(call, (e: unknown) => e instanceof CultureLabError && e.code === "engine-died" && /SIGKILL/.test(e.message) && /Restart/.test(e.hint ?? ""));
    await assert.rejects(client.request(engineHello, {}), (e: unknown) => e instanceof CultureLabError && e.code === "engine-died");
    assert.equal(client.isRunning, false);
    assert.deepEqual(exits, [{ code: null, signal: "SIGKILL", expected: false }]);
    stop();

    await client.restart();
    assert.notEqual(client.pid, oldPid);
    // The new engine starts empty: the session is opened again.
    await assert.rejects(client.request(runtimeGenerateText, { agentId: "a", prompt: "?" }), (e: unknown) => e instanceof CultureLabError && e.code === "runtime-not-open");
    await openTiny();
    await client.request(runtimeAddAgent, { spec: { id: "a", sampling: { maxTokens: 8 } } });
    assert.ok((await client.request(runtimeGenerateText, { agentId: "a", prompt: "Back?" })).ok);
  });

  it("reports an abort inside the engine (how llama.cpp fails) as such", async () => {
    const pid = client.pid!;
    process.kill(pid, "SIGABRT");
    await assert.rejects(client.request(engineHello, {}), (e: unknown) => e instanceof CultureLabError && e.code === "engine-died" && /llama\.cpp aborted/.test(e.message));
    await client.restart();
    assert.equal((await client.request(engineHello, {})).pid, client.pid);
  });

  it("stops its process on dispose, leaving nothing running", async () => {
    const other = await EngineClient.start();
    const pid = other.pid!;
    await other.dispose();
    assert.equal(other.isRunning, false);
    assert.ok(isGone(pid));
    await assert.rejects(other.request(engineHello, {}), (e: unknown) => e instanceof CultureLabError);
  });

  it("a suspended engine makes a waiting call fail with a clear message instead of hanging, and a busy one does not", async function () {
    this.timeout(60_000);
    const other = await EngineClient.start({ silenceMs: 3000 });
    const pid = other.pid!;
    try {
      // Quiet but alive for longer than the limit: the heartbeat keeps calls waiting.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      assert.equal((await other.request(engineHello, {})).pid, pid);
      process.kill(pid, "SIGSTOP");
      const started = performance.now();
      await assert.rejects(other.request(engineHello, {}), (e: unknown) =>
        e instanceof CultureLabError && e.code === "engine-not-responding" && new RegExp(`engine process ${pid} has sent nothing`).test(e.message) &&
        new RegExp(`kill -CONT ${pid}`).test(e.hint ?? ""));
      assert.ok(performance.now() - started < 10_000, "it gives up within a few seconds of the limit");
      process.kill(pid, "SIGCONT");
      assert.equal((await other.request(engineHello, {})).pid, pid, "resumed, it answers again");
    } finally {
      process.kill(pid, "SIGCONT");
      await other.dispose();
    }
  });
});
