// A prompt prefix several agents share is decoded once and copied (agents/runtime/prefixShare.ts). A copy must be
// faithful (the logits of decoding the same chunks in the sequence itself); and since a prompt's logits depend on
// where it was split into decodes, "exact" decoding copies nothing, or its replays would depend on timing.
import assert from "node:assert/strict";
import type { LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";
import { sequenceIdOf } from "../../agents/runtime/batchOrder";
import { PrefixShare } from "../../agents/runtime/prefixShare";
import { openRuntime } from "../../agents/runtime/runtime";
import type { Runtime } from "../../agents/runtime/runtime";
import { tinyModelDir, type TinyModelDir } from "./tinyModel";

const tokens = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => (((i + offset) * 37) % 200) + 20) as Token[];
const withLogitsAtEnd = (ts: readonly Token[]) => ts.map((t, i) => (i === ts.length - 1 ? ([t, { generateNext: { logits: true } }] as const) : t));

/** The next-token logits after the last of `ts`, in token order. */
async function logitsAfter(sequence: LlamaContextSequence, ts: readonly Token[]): Promise<number[]> {
  const results = await sequence.controlledEvaluate(withLogitsAtEnd(ts) as Parameters<LlamaContextSequence["controlledEvaluate"]>[0]);
  const logits = results.filter((r) => r !== undefined).at(-1)!.next!.logits!;
  return [...logits.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
}

describe("shared prompt prefixes", function () {
  this.timeout(120_000);
  let tiny: TinyModelDir;
  before(async () => {
    tiny = await tinyModelDir("cl-prefix-");
  });
  after(() => tiny.cleanup());

  describe("in llama.cpp's KV cache", () => {
    let rt: Runtime;
    let context: LlamaContext;
    before(async () => {
      rt = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1, agentsPerContext: 40 }, { onContextCreated: (c) => (context = c) });
      await rt.agent({ id: "seated" }); // opens the shared context
    });
    after(() => rt.dispose());

    /** Decodes `prefix` tokens in one sequence, copies them to another and decodes the rest of the prompt there. */
    async function copiedThenRest(prompt: Token[], prefix: number): Promise<number[]> {
      const [source, target] = [context.getSequence(), context.getSequence()];
      await source.controlledEvaluate(prompt.slice(0, prefix));
      const copy = (target as unknown as { _copyStateFromOtherSequence(o: LlamaContextSequence, upTo: number): Promise<boolean> })._copyStateFromOtherSequence(source, prefix);
      assert.equal(await copy, true, "node-llama-cpp copied the prefix");
      return logitsAfter(target, prompt.slice(prefix));
    }

    /** Decodes `prompt` in a fresh sequence in two decodes, split at `cut`. */
    async function splitAt(prompt: Token[], cut: number): Promise<number[]> {
      const sequence = context.getSequence();
      await sequence.controlledEvaluate(prompt.slice(0, cut));
      return logitsAfter(sequence, prompt.slice(cut));
    }

    it("gives exactly the logits of decoding the same chunks in the sequence itself", async () => {
      for (const [length, prefix] of [[60, 20], [60, 58], [99, 43], [99, 8]] as const) {
        const prompt = tokens(length);
        assert.deepEqual(await copiedThenRest(prompt, prefix), await splitAt(prompt, prefix), `${prefix} of ${length} tokens`);
      }
    });

    it("is needed only where a prompt's logits depend on how it was split into decodes (so exact decoding copies nothing)", async () => {
      // If this ever fails, llama.cpp became invariant to how a prompt is split and "exact" could copy too.
      const prompt = tokens(99);
      assert.notDeepEqual(await splitAt(prompt, 43), await logitsAfter(context.getSequence(), prompt));
    });

    it("leaves two tokens to decode: one token decoded alone gets slightly different logits", async () => {
      const prompt = tokens(60);
      assert.notDeepEqual(await copiedThenRest(prompt, 59), await logitsAfter(context.getSequence(), prompt));
    });

    /** A PrefixShare over fresh sequences of the context, and the sequences' slots. */
    function seats(n: number) {
      const share = new PrefixShare(true);
      const sequences = Array.from({ length: n }, () => context.getSequence());
      return { share, sequences, slot: (s: LlamaContextSequence) => sequenceIdOf(s, -1) };
    }

    async function prepareAndDecode(share: PrefixShare, slot: number, sequence: LlamaContextSequence, prompt: Token[]) {
      const plan = await share.prepare(slot, sequence, prompt);
      const logits = await logitsAfter(sequence, prompt.slice(plan.reused + plan.copied));
      plan.done();
      return { plan, logits };
    }

    it("lets the second of two agents given the same prompt copy all but two of its tokens", async () => {
      const { share, sequences, slot } = seats(2);
      const prompt = tokens(50);
      const [first, second] = await Promise.all(sequences.map((s) => prepareAndDecode(share, slot(s), s, prompt)));
      assert.deepEqual(second!.logits, await splitAt(prompt, 48));
      assert.equal(first!.plan.copied, 0, "the first decodes the prompt");
      assert.equal(second!.plan.copied, 48, "the second copies all but the last two tokens");
    });

    it("never copies tokens another agent generated one at a time, only its decoded prompt", async () => {
      const { share, sequences, slot } = seats(2);
      const [leader, follower] = sequences as [LlamaContextSequence, LlamaContextSequence];
      const prompt = tokens(40);
      const generated = tokens(12, 300);
      await prepareAndDecode(share, slot(leader), leader, prompt);
      for (const token of generated) await leader.controlledEvaluate([token]); // what generation does
      const next = [...prompt, ...generated, ...tokens(10, 500)];
      const { plan, logits } = await prepareAndDecode(share, slot(follower), follower, next);
      assert.deepEqual(logits, await splitAt(next, 40));
      assert.equal(plan.copied, 40, "only the leader's prompt is copied");
    });

    it("copies nothing when turned off", async () => {
      const share = new PrefixShare(false);
      const [a, b] = [context.getSequence(), context.getSequence()];
      const prompt = tokens(50);
      await prepareAndDecode(share, sequenceIdOf(a, -1), a, prompt);
      assert.equal((await prepareAndDecode(share, sequenceIdOf(b, -2), b, prompt)).plan.copied, 0);
    });
  });

  describe("in a runtime", () => {
    const PERSONAS = ["You are a careful mathematician.", "You are a curious student.", "You are a sceptic.", "You are a teacher."];
    const SHARED = `Solve the puzzle. Think step by step first, then answer.\n\nExample puzzle: ${"f(xs) sums the even numbers of a list. ".repeat(6)}`;

    /** Four agents, each answering three prompts in turn (all agents at once), like the solvers of a generation. */
    async function solveRound(decoding: "exact" | "batched", sharePrefixes: boolean) {
      const rt = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1, agentsPerContext: 4, decoding, sharePrefixes });
      try {
        const agents = await Promise.all(PERSONAS.map((persona, i) => rt.agent({ id: `a${i}`, persona, sampling: { seed: 7 + i, maxTokens: 12 } })));
        await Promise.all(
          agents.map(async (agent) => {
            for (const puzzle of ["f([1, 2, 4])", "f([3, 8])", "f([])"]) assert.ok((await agent.generateText(`${SHARED}\n\nYour puzzle: ${puzzle}`)).ok);
          }),
        );
        return rt.accounting().session;
      } finally {
        await rt.dispose();
      }
    }

    it("decodes a prompt the agents share once with batched decoding", async () => {
      const shared = await solveRound("batched", true);
      const alone = await solveRound("batched", false);
      assert.equal(shared.promptTokens, alone.promptTokens);
      assert.equal(alone.promptTokensCopied, 0);
      assert.ok(shared.promptTokensCopied > 0, "some prompt tokens were copied");
      // Three agents of four copy each shared prompt: well under half the prompt tokens are decoded.
      assert.ok(shared.promptTokensEvaluated < alone.promptTokensEvaluated / 2, `${shared.promptTokensEvaluated} decoded with sharing, ${alone.promptTokensEvaluated} without`);
      assert.ok(shared.promptTokensEvaluated + shared.promptTokensCopied <= shared.promptTokens);
    });

    it("copies nothing with exact decoding", async () => {
      assert.equal((await solveRound("exact", true)).promptTokensCopied, 0);
    });
  });
});
