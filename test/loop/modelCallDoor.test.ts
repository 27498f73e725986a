// The door every model call goes through (`ask` in loopContext.ts): role budgets, a prompt over the context
// rebuilt shorter instead of ending the session, a truncated reply retried once with a larger budget.
import assert from "node:assert/strict";
import type { AgentReply, AgentRequest, LoopAgent, RetrievedNote } from "../../agents/loop/agentPort";
import { ask, newUsage, type LoopContext } from "../../agents/loop/loopContext";
import { ProgressTracker } from "../../agents/loop/progress";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { modelAgentFactory } from "../../agents/loop/modelAgent";
import { notesWithin } from "../../agents/loop/noteBudget";
import { solverPrompt, solverSchema } from "../../agents/loop/prompts";
import { ROLE_BUDGETS } from "../../agents/loop/roleBudgets";
import type { CallRecord } from "../../agents/loop/runRecorder";
import { openRuntime, type Runtime } from "../../agents/runtime/runtime";
import { CultureLabError } from "../../workspace-kb/errors";
import { tinyModelDir, type TinyModelDir } from "../runtime/tinyModel";

// Test double: what `ask` needs of a loop context, with a recorder that keeps records in memory.
function contextDouble(): { ctx: LoopContext; records: Array<Omit<CallRecord, "index" | "agentCall" | "at">> } {
  const records: Array<Omit<CallRecord, "index" | "agentCall" | "at">> = [];
  const progress = new ProgressTracker({ firstGeneration: 0, generations: 1, evaluates: () => false, evaluationCalls: 0 });
  const ctx = { signal: new AbortController().signal, usage: newUsage(), progress, config: parseLoopConfig({}, "the test"), recorder: { record: (r: never) => records.push(r) } } as unknown as LoopContext;
  return { ctx, records };
}

// Test double: an agent with a context of `contextChars` characters that writes `needsTokens` tokens of JSON.
class BoundedAgentDouble implements LoopAgent {
  readonly id = "bounded";
  readonly persona = "";
  readonly seed = 1;
  readonly sampling = {};
  readonly seen: Array<{ prompt: string; maxTokens?: number }> = [];
  constructor(private readonly contextChars: number, private readonly needsTokens: number) {}
  async reply(request: AgentRequest): Promise<AgentReply> {
    this.seen.push({ prompt: request.prompt, maxTokens: request.maxTokens });
    if (request.prompt.length > this.contextChars) throw new CultureLabError("prompt-too-long", `the prompt is ${request.prompt.length} characters; the context holds ${this.contextChars}.`);
    const usage = { promptTokens: request.prompt.length, completionTokens: Math.min(request.maxTokens ?? 0, this.needsTokens), ms: 0 };
    if ((request.maxTokens ?? 0) < this.needsTokens) return { ok: false, reason: "truncated", message: "cut at the token limit", text: '{"title": "cut', usage };
    return { ok: true, value: { title: "t", text: "x", cites: [] }, text: '{"title":"t","text":"x","cites":[]}', usage };
  }
}

const notes: RetrievedNote[] = [1, 2, 3, 4].map((i) => ({ id: `n${i}`, title: `note ${i}`, text: `${"a worked example. ".repeat(40)}` }));
const view = { mode: "deduction" as const, program: "function f(x) { return x + 1; }", input: [1] };
const solverRequest = () => ({
  role: "solver" as const,
  prompt: solverPrompt(view, notesWithin(notes, 2400)!),
  shorter: (level: number) => {
    const fewer = notesWithin(notes, 2400, level);
    return fewer && solverPrompt(view, fewer);
  },
  schema: solverSchema("deduction"),
  facts: {},
});

describe("the door for every model call", () => {
  it("rebuilds a prompt over the context with fewer, shorter notes, and records the refused attempt", async () => {
    const { ctx, records } = contextDouble();
    const agent = new BoundedAgentDouble(2000, 10);
    const reply = await ask(ctx, agent, 0, solverRequest());
    assert.equal(reply.ok, true);
    assert.ok(agent.seen.length >= 2 && agent.seen.at(-1)!.prompt.length <= 2000);
    assert.ok(agent.seen.at(-1)!.prompt.includes("[n1]"), "the shortened prompt still shows a note");
    assert.deepEqual(records.map((r) => r.outcome), [...Array(agent.seen.length - 1).fill("prompt-too-long"), "ok"]);
  });

  it("fails the call as prompt-too-long, without ending the session, when even no notes do not fit", async () => {
    const { ctx, records } = contextDouble();
    const reply = await ask(ctx, new BoundedAgentDouble(100, 10), 0, solverRequest());
    assert.equal(!reply.ok && reply.reason, "prompt-too-long");
    assert.ok(records.length >= 2 && records.every((r) => r.outcome === "prompt-too-long"));
  });

  it("gives each role its token budget, and retries a truncated reply once with the role's larger budget", async () => {
    const { ctx, records } = contextDouble();
    const agent = new BoundedAgentDouble(1e6, ROLE_BUDGETS.librarian.maxTokens + 1);
    const reply = await ask(ctx, agent, 0, { role: "librarian", prompt: "consolidate", schema: {}, facts: {} });
    assert.equal(reply.ok, true);
    assert.deepEqual(agent.seen.map((s) => s.maxTokens), [ROLE_BUDGETS.librarian.maxTokens, ROLE_BUDGETS.librarian.retryTokens]);
    assert.deepEqual(records.map((r) => [r.outcome, r.sampling.maxTokens]), [["truncated", ROLE_BUDGETS.librarian.maxTokens], ["ok", ROLE_BUDGETS.librarian.retryTokens]]);
  });

  it("retries a truncated reply only once, and never for a role without a retry budget", async () => {
    const twice = contextDouble();
    const long = new BoundedAgentDouble(1e6, 10_000);
    const reply = await ask(twice.ctx, long, 0, { role: "writer", prompt: "write", schema: {}, facts: {} });
    assert.equal(!reply.ok && reply.reason, "truncated");
    assert.equal(long.seen.length, 2);
    const probe = contextDouble();
    const short = new BoundedAgentDouble(1e6, 10_000);
    await ask(probe.ctx, short, 0, { role: "probe", prompt: "joke", schema: null, facts: {} });
    assert.equal(short.seen.length, 1);
  });

  it("counts a call once in the phase's progress however many attempts it took, so the count never passes the total", async () => {
    const { ctx } = contextDouble();
    const seen: Array<{ done: number; total?: number }> = [];
    const progress = new ProgressTracker({ firstGeneration: 0, generations: 1, evaluates: () => false, evaluationCalls: 0 }, (p) => seen.push({ done: p.callsDone, total: p.callsTotal }));
    const counted = { ...ctx, progress } as LoopContext;
    progress.startGeneration(0);
    progress.phase("solving", 2);
    // One call retried after a truncated reply, one rebuilt shorter twice: five attempts, two calls.
    await ask(counted, new BoundedAgentDouble(1e6, ROLE_BUDGETS.solver.maxTokens + 1), 0, { ...solverRequest(), maxTokens: undefined });
    await ask(counted, new BoundedAgentDouble(2000, 10), 0, solverRequest());
    assert.deepEqual(seen.at(-1), { done: 2, total: 2 });
    assert.ok(seen.every((s) => s.total === undefined || s.done <= s.total), JSON.stringify(seen));
  });

  describe("on the tiny model with a small context", function () {
    this.timeout(120_000);
    let tiny: TinyModelDir;
    let runtime: Runtime;
    before(async () => {
      tiny = await tinyModelDir();
      runtime = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1, contextSize: 1536 });
    });
    after(async () => {
      await runtime.dispose();
      await tiny.cleanup();
    });

    it("answers a solver prompt that did not fit, with fewer notes, instead of throwing prompt-too-long", async () => {
      const agent = await modelAgentFactory(runtime, { maxTokens: 16 })({ id: "small", index: 0, seed: 3, persona: "", generation: 0 });
      const { ctx, records } = contextDouble();
      const reply = await ask(ctx, agent, 0, { ...solverRequest(), maxTokens: 16 });
      assert.notEqual(reply.ok ? "ok" : reply.reason, "prompt-too-long");
      assert.equal(records[0]!.outcome, "prompt-too-long", "the full prompt was over the 1536-token context");
      assert.ok(records.length >= 2);
    });
  });
});
