import assert from "node:assert/strict";
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { openRuntime } from "../../agents/runtime/runtime";
import type { Runtime } from "../../agents/runtime/runtime";
import { parseRuntimeConfig } from "../../agents/runtime/runtimeConfig";
import { tinyModelDir } from "./tinyModel";
import type { TinyModelDir } from "./tinyModel";

const yesNo = { type: "object", properties: { answer: { enum: ["yes", "no"] } }, required: ["answer"] };

describe("the model runtime on the tiny model", function () {
  this.timeout(60_000);
  let tiny: TinyModelDir;
  let rt: Runtime;
  before(async () => {
    tiny = await tinyModelDir();
    rt = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1, contextSize: 2048 });
  });
  after(async () => {
    await rt?.dispose();
    await tiny?.cleanup();
  });

  it("leaves the decoding threads to be chosen for the model and the machine, and says what it chose", () => {
    assert.equal(parseRuntimeConfig({}).threads, "auto");
    assert.equal(rt.threadChoice.threads, 1);
    assert.match(rt.threadChoice.reason, /as configured/);
  });

  it("loads a model once however many agents name it, by any path", async () => {
    const link = join(tiny.dir, "same-model.gguf");
    await symlink(tiny.modelPath, link);
    await rt.agent({ id: "by-default" });
    await rt.agent({ id: "by-link", model: link });
    const manifest = await rt.manifest();
    assert.equal(manifest.models.length, 1);
    assert.equal(manifest.models[0]!.architecture, "llama");
    assert.ok(manifest.agents.some((a) => a.id === "by-link" && a.backend === "local" && a.modelPath === manifest.models[0]!.path));
  });

  it("refuses a second agent with the same id", async () => {
    await rt.agent({ id: "unique" });
    await assert.rejects(rt.agent({ id: "unique" }), (e: unknown) => e instanceof CultureLabError && e.code === "agent-exists");
  });

  it("lets several agents generate at the same time, overlapping in one shared context", async () => {
    const agents = await Promise.all([0, 1, 2, 3].map((i) => rt.agent({ id: `batch-${i}`, sampling: { seed: i, maxTokens: 48 } })));
    const started = performance.now();
    const results = await Promise.all(agents.map((a, i) => a.generateText(`Say something, number ${i}.`)));
    const elapsed = performance.now() - started;
    for (const r of results) assert.ok(r.ok && r.usage.completionTokens > 0);
    assert.equal((await rt.manifest()).models[0]!.contexts, 1, "agents added together share one context");
    // Run one after another, the calls' own times would add up to the elapsed time; overlapping, to about 4×.
    const summed = results.reduce((s, r) => s + r.usage.wallMs, 0);
    assert.ok(summed > 2 * elapsed, `calls summed ${summed.toFixed(0)} ms within ${elapsed.toFixed(0)} ms`);
  });

  it("samples each agent with its own seed: equal seeds agree, different seeds differ", async () => {
    const [a, b, c] = await Promise.all([
      rt.agent({ id: "seed-a", sampling: { seed: 7, maxTokens: 32, temperature: 1 } }),
      rt.agent({ id: "seed-b", sampling: { seed: 7, maxTokens: 32, temperature: 1 } }),
      rt.agent({ id: "seed-c", sampling: { seed: 8, maxTokens: 32, temperature: 1 } }),
    ]);
    const [ra, rb, rc] = await Promise.all([a!.generateText("Go."), b!.generateText("Go."), c!.generateText("Go.")]);
    assert.ok(ra.ok && rb.ok && rc.ok);
    assert.equal(ra.text, rb.text);
    assert.notEqual(ra.text, rc.text);
  });

  it("gives a call the sampler seed its caller pins, whatever calls came before on the agent", async () => {
    const agent = await rt.agent({ id: "pinned", sampling: { seed: 9, maxTokens: 32, temperature: 1 } });
    const first = await agent.generateText("Go.", { seed: 12345 });
    const unpinned = await agent.generateText("Go.");
    const again = await agent.generateText("Go.", { seed: 12345 });
    assert.ok(first.ok && unpinned.ok && again.ok);
    assert.equal(again.text, first.text, "the same pinned seed gives the same answer on a later call");
    assert.notEqual(unpinned.text, first.text, "an unpinned call draws its own seed");
  });

  it("answers with JSON that the schema's grammar shaped and the door checked", async () => {
    const agent = await rt.agent({ id: "json", sampling: { seed: 3, maxTokens: 64 } });
    const result = await agent.generateJson<{ answer: "yes" | "no" }>("Yes or no?", yesNo);
    assert.ok(result.ok, result.ok ? "" : result.message);
    assert.ok(["yes", "no"].includes(result.value.answer));
  });

  it("ends a finished JSON answer at the grammar's stop trigger instead of running on with newlines to the token limit", async () => {
    // The enum leaves nothing to choose once "yes" or "no" is written; what follows is the grammar's newlines.
    // End-of-generation tokens are ignored here, so only the stop trigger can end the call before the limit.
    const agents = await Promise.all([21, 22, 23].map((seed) => rt.agent({ id: `stop-${seed}`, sampling: { seed, maxTokens: 300, ignoreEos: true } })));
    for (const agent of agents) {
      const result = await agent.generateJson<{ answer: string }>("Yes or no?", yesNo);
      assert.ok(result.ok, result.ok ? "" : result.message);
      assert.ok(result.usage.completionTokens < 40, `${result.usage.completionTokens} tokens for ${JSON.stringify(result.text)}`);
    }
  });

  it("reports output cut at the token limit as a truncated result, not an error", async () => {
    const agent = await rt.agent({ id: "short", sampling: { seed: 3 } });
    const result = await agent.generateJson("Write.", { type: "object", properties: { text: { type: "string" } }, required: ["text"] }, { maxTokens: 6 });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.failure, "truncated");
    assert.equal(result.usage.completionTokens, 6);
  });

  it("reports unconstrained output that is not JSON as invalid-json", async () => {
    const agent = await rt.agent({ id: "free", sampling: { seed: 4, maxTokens: 24 } });
    const result = await agent.generateJson("Reply in JSON.", yesNo, { grammar: false });
    assert.equal(!result.ok && result.failure, "invalid-json");
  });

  it("reports JSON the grammar allowed but the full schema refuses as a schema mismatch", async () => {
    // The grammar enforces the length; only the door knows the pattern, which no non-empty string meets.
    const schema = { type: "object", properties: { code: { type: "string", minLength: 1, maxLength: 3, pattern: "^$" } }, required: ["code"] };
    const agent = await rt.agent({ id: "strict", sampling: { seed: 5, maxTokens: 64 } });
    const result = await agent.generateJson(`Give a code.`, schema);
    assert.equal(!result.ok && result.failure, "schema-mismatch", result.text);
  });

  it("stops a call when its signal aborts, and returns an aborted result while other agents carry on", async () => {
    const [victim, bystander] = await Promise.all([
      rt.agent({ id: "victim", sampling: { seed: 1, maxTokens: 1500 } }),
      rt.agent({ id: "bystander", sampling: { seed: 2, maxTokens: 40 } }),
    ]);
    const already = await victim!.generateText("Never starts.", { signal: AbortSignal.abort() });
    assert.equal(!already.ok && already.failure, "aborted");
    assert.equal(already.usage.completionTokens, 0);

    const controller = new AbortController();
    const running = victim!.generateText("Talk for a long time.", { signal: controller.signal });
    const other = bystander!.generateText("Short answer.");
    setTimeout(() => controller.abort(), 20);
    const [stopped, finished] = await Promise.all([running, other]);
    assert.equal(!stopped.ok && stopped.failure, "aborted");
    assert.ok(stopped.usage.completionTokens < 1500);
    assert.ok(finished.ok);
  });

  it("with ignoreEos, runs to the token limit where the same seed otherwise stops at end-of-sequence", async () => {
    let stopsEarly: number | undefined;
    for (let seed = 100; seed < 140 && stopsEarly === undefined; seed++) {
      const probe = await rt.agent({ id: `eos-probe-${seed}`, sampling: { seed, maxTokens: 400 } });
      const r = await probe.generateText("Go.");
      if (r.ok && r.stopReason === "eog") stopsEarly = seed;
    }
    assert.ok(stopsEarly !== undefined, "some seed ends at end-of-sequence within 400 tokens");
    const forced = await rt.agent({ id: "eos-ignored", sampling: { seed: stopsEarly, maxTokens: 400, ignoreEos: true } });
    const result = await forced.generateText("Go.");
    assert.ok(result.ok && result.stopReason === "max-tokens");
    assert.equal(result.usage.completionTokens, 400);
  });

  it("refuses a prompt longer than the agent's context with a message saying what to do", async () => {
    const agent = await rt.agent({ id: "verbose", sampling: { maxTokens: 4 } });
    await assert.rejects(agent.generateText("x".repeat(3000)), (e: unknown) => e instanceof CultureLabError && e.code === "prompt-too-long" && /contextSize/.test(e.hint ?? ""));
    assert.ok((await agent.generateText("Short.")).ok, "the agent still works afterwards");
  });

  it("accounts tokens, time and FLOPs per call, per agent and per session", async () => {
    const agent = await rt.agent({ id: "counted", sampling: { seed: 9, maxTokens: 10 } });
    const seen: number[] = [];
    const stop = rt.onCall((u) => u.agentId === "counted" && seen.push(u.completionTokens));
    const before = rt.accounting().session;
    const first = await agent.generateText("Count me.");
    const second = await agent.generateText("Count me.");
    stop();
    const after = rt.accounting();
    const params = (await rt.manifest()).models[0]!.parameters;
    assert.deepEqual(seen, [first.usage.completionTokens, second.usage.completionTokens]);
    assert.equal(after.agents.counted!.calls, 2);
    assert.equal(after.session.calls - before.calls, 2);
    assert.equal(first.usage.flops, 2 * params * (first.usage.promptTokensEvaluated + first.usage.completionTokens));
    // The second, identical prompt reuses what the sequence already holds.
    assert.ok(second.usage.promptTokensEvaluated < second.usage.promptTokens);
    assert.ok(first.usage.wallMs > 0 && first.usage.tokensPerSecond > 0);
  });

  it("records the model's hash, metadata, versions and every agent's sampling in the manifest", async () => {
    const manifest = await rt.manifest();
    const model = manifest.models[0]!;
    assert.match(model.sha256, /^[0-9a-f]{64}$/);
    assert.equal(model.fileType, "ALL_F32");
    assert.equal(model.contextLength, 4096);
    assert.ok(model.parameters > 100_000);
    assert.match(manifest.nodeLlamaCpp, /^\d+\.\d+\.\d+/);
    assert.equal(manifest.runtime.threads, 1);
    assert.equal(manifest.agents.find((a) => a.id === "counted")!.sampling.maxTokens, 10);
  });

  it("embeds a list of texts as one vector each", async () => {
    const vectors = await rt.embed(["first text", "second text"]);
    assert.equal(vectors.length, 2);
    assert.equal(vectors[0]!.length, 64);
    assert.notDeepEqual(vectors[0], vectors[1]);
  });
});

describe("a model session", function () {
  this.timeout(60_000);
  let tiny: TinyModelDir;
  before(async () => {
    tiny = await tinyModelDir();
  });
  after(() => tiny.cleanup());

  async function session(): Promise<string[]> {
    const rt = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1 });
    try {
      const agents = await Promise.all([11, 12, 13].map((seed) => rt.agent({ id: `a${seed}`, sampling: { seed, maxTokens: 24 } })));
      const texts: string[] = [];
      for (let round = 0; round < 2; round++) {
        const results = await Promise.all(agents.map((a) => a.generateText(`Round ${round}.`)));
        texts.push(...results.map((r) => r.text));
      }
      return texts;
    } finally {
      await rt.dispose();
    }
  }

  it("replays the same outputs with the same seeds on the CPU", async () => {
    const first = await session();
    const second = await session();
    assert.deepEqual(second, first);
  });

  it("after dispose refuses new work, and a call running at dispose comes back aborted", async () => {
    const rt = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1 });
    const agent = await rt.agent({ id: "late", sampling: { maxTokens: 1500 } });
    const running = agent.generateText("Keep going.");
    await new Promise((r) => setTimeout(r, 20));
    await rt.dispose();
    const result = await running;
    assert.equal(!result.ok && result.failure, "aborted");
    await assert.rejects(agent.generateText("Again."), (e: unknown) => e instanceof CultureLabError && e.code === "runtime-disposed");
    await assert.rejects(rt.agent({ id: "new" }), (e: unknown) => e instanceof CultureLabError && e.code === "runtime-disposed");
  });
});
