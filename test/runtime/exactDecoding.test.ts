// Replay needs a token's logits not to depend on what other agents happen to be decoding at that moment.
import assert from "node:assert/strict";
import type { LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";
import { openRuntime } from "../../agents/runtime/runtime";
import type { RuntimeConfig } from "../../agents/runtime/runtimeConfig";
import { tinyModelDir, type TinyModelDir } from "./tinyModel";

describe("exact decoding", function () {
  this.timeout(60_000);
  let tiny: TinyModelDir;
  before(async () => {
    tiny = await tinyModelDir("cl-exact-");
  });
  after(() => tiny.cleanup());

  /**
   * The next-token logits of sequence A after each of five tokens, decoded either alone or each time together
   * with a token of sequence B (in the runtime's own shared context, so its batching strategy decides).
   */
  async function logitsOfA(decoding: RuntimeConfig["decoding"], withB: boolean): Promise<number[]> {
    let context: LlamaContext | undefined;
    const rt = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1, agentsPerContext: 4, decoding }, { onContextCreated: (c) => (context = c) });
    try {
      await rt.agent({ id: "seated" }); // opens the shared context
      const [a, b] = [context!.getSequence(), context!.getSequence()];
      const tokens = Array.from({ length: 40 }, (_, i) => ((i * 37) % 200) + 20) as Token[];
      await Promise.all([a.controlledEvaluate(tokens.slice(0, 30)), b.controlledEvaluate(tokens.slice(5, 25))]);
      const out: number[] = [];
      const next = (s: LlamaContextSequence, token: Token) => s.controlledEvaluate([[token, { generateNext: { logits: true } }]]);
      for (let step = 30; step < 35; step++) {
        const [result] = await Promise.all([next(a, tokens[step]!), ...(withB ? [next(b, tokens[step - 10]!)] : [])]);
        out.push(...[...result[0]!.next!.logits!.entries()].sort(([x], [y]) => x - y).map(([, v]) => v));
      }
      return out;
    } finally {
      await rt.dispose();
    }
  }

  it("gives an agent the same logits whether or not another agent decodes at the same time", async () => {
    assert.deepEqual(await logitsOfA("exact", true), await logitsOfA("exact", false));
  });

  it("is needed: batched decoding gives a token decoded with another agent's slightly different logits", async () => {
    // If this ever fails, llama.cpp became batch-invariant and "batched" could replay exactly too.
    assert.notDeepEqual(await logitsOfA("batched", true), await logitsOfA("batched", false));
  });
});
