import assert from "node:assert/strict";
import type { BatchItem, LlamaContext, Token } from "node-llama-cpp";
import { fairShare } from "../../agents/runtime/batchOrder";
import { openRuntime } from "../../agents/runtime/runtime";
import { StepBarrier } from "../../agents/runtime/stepBarrier";
import { tinyModelDir } from "./tinyModel";
import type { TinyModelDir } from "./tinyModel";

describe("decoding agents together", function () {
  this.timeout(60_000);

  it("a step barrier lets members go only when all are ready, in slot order, and a leaver does not block", async () => {
    const barrier = new StepBarrier();
    const order: number[] = [];
    for (const slot of [2, 0, 1]) barrier.join(slot);
    const two = barrier.ready(2).then(() => order.push(2));
    const zero = barrier.ready(0).then(() => order.push(0));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [], "slot 1 is not ready yet");
    barrier.leave(1);
    await Promise.all([two, zero]);
    assert.deepEqual(order, [0, 2]);
  });

  it("shares a batch fairly and hands leftovers out in order", () => {
    const item = (n: number): BatchItem => ({ tokens: Array.from({ length: n }, () => 1 as Token), logits: [], evaluationPriority: 5 });
    const [a, b, c] = [item(100), item(3), item(100)];
    const shares = fairShare([a, b, c], 64);
    assert.deepEqual(
      shares.map((s) => s.processAmount),
      [40, 3, 21],
    );
    assert.equal(
      shares.reduce((s, x) => s + x.processAmount, 0),
      64,
    );
  });

  describe("on the tiny model", () => {
    let tiny: TinyModelDir;
    before(async () => {
      tiny = await tinyModelDir("cl-batching-");
    });
    after(() => tiny.cleanup());

    it("decodes agents that generate at the same time in one ordered batch per step", async () => {
      const batches: number[][] = [];
      let current: number[] = [];
      // Watches which sequences llama.cpp is given per decode (bench-style instrumentation of the native context).
      const watch = (context: LlamaContext) => {
        const holder = context as unknown as { _ctx: Record<string, unknown> };
        const native = holder._ctx;
        holder._ctx = new Proxy(native, {
          get(target, key) {
            const value = target[key as string];
            if (key === "addToBatch") return (sequence: number, ...rest: unknown[]) => (current.push(sequence), (value as (...a: unknown[]) => unknown).call(target, sequence, ...rest));
            if (key === "decodeBatch") {
              batches.push(current);
              current = [];
            }
            return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        });
      };
      const rt = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1, agentsPerContext: 4, decoding: "batched" }, { onContextCreated: watch });
      try {
        const steps = 24;
        const agents = await Promise.all([0, 1, 2, 3].map((i) => rt.agent({ id: `b${i}`, sampling: { seed: i, maxTokens: steps, ignoreEos: true } })));
        const results = await Promise.all(agents.map((a, i) => a.generateText(`Agent ${i}, go.`)));
        assert.ok(results.every((r) => r.ok && r.usage.completionTokens === steps));
        // One decode for the prompts, one per step (the first agent to get its first token may take one alone).
        assert.ok(batches.length <= steps + 2, `${batches.length} decodes for ${steps} steps`);
        for (const batch of batches) assert.deepEqual(batch, [...batch].sort((a, b) => a - b), `batch ${batch.join(",")} is in sequence order`);
        const full = batches.filter((b) => new Set(b).size === 4).length;
        assert.ok(full >= steps - 2, `${full} of ${batches.length} decodes hold all four agents`);
      } finally {
        await rt.dispose();
      }
    });
  });
});
