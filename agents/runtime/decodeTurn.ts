// One agent turn on one context sequence: keep the prompt prefix already in the sequence or copy it from another
// agent's (prefixShare.ts), decode the rest, then sample token by token (llama.cpp batches this sequence's steps
// with every other agent's) until an end-of-generation token, a stop text, the token limit or an abort.
import type { LlamaContextSequence, LlamaGrammarEvaluationState, LlamaModel, Token } from "node-llama-cpp";
import { CultureLabError } from "../../workspace-kb/errors";
import type { Sampling } from "./runtimeConfig";
import type { PrefixShare } from "./prefixShare";
import type { StepBarrier } from "./stepBarrier";

export type StopReason = "eog" | "stop-text" | "max-tokens" | "aborted";

export interface TurnRequest {
  sequence: LlamaContextSequence;
  model: LlamaModel;
  promptTokens: Token[];
  sampling: Sampling;
  /** The sampler seed for this call (the agent's seed mixed with its call number). */
  seed: number;
  maxTokens: number;
  grammarState?: LlamaGrammarEvaluationState;
  /** Tokens that end the turn besides the model's end-of-generation tokens (a chat template's end of turn). */
  stopTokens: ReadonlySet<Token>;
  /** Texts that end the turn (a chat template's end-of-turn written as text); cut from the output. */
  stopTexts: readonly string[];
  signal?: AbortSignal;
  /** Keeps the context's generating agents in step, so each decode is one full batch. */
  barrier: StepBarrier;
  /** This sequence's order in its context. */
  slot: number;
  /** The context's shared prompt prefixes. */
  prefixes: PrefixShare;
}

export interface TurnOutcome {
  text: string;
  /** performance.now() when the first token came out, or undefined if none did. */
  firstTokenAt: number | undefined;
  completionTokens: number;
  promptTokensEvaluated: number;
  /** Prompt tokens kept from this sequence's previous call. */
  promptTokensReused: number;
  /** Prompt tokens copied from another agent's sequence instead of being decoded. */
  promptTokensCopied: number;
  stopReason: StopReason;
}

export async function decodeTurn(request: TurnRequest): Promise<TurnOutcome> {
  const { sequence, model, promptTokens, sampling, signal } = request;
  if (signal?.aborted) return { text: "", firstTokenAt: undefined, completionTokens: 0, promptTokensEvaluated: 0, promptTokensReused: 0, promptTokensCopied: 0, stopReason: "aborted" };
  if (promptTokens.length >= sequence.contextSize) {
    throw new CultureLabError(
      "prompt-too-long",
      `the prompt is ${promptTokens.length} tokens; each agent's context holds ${sequence.contextSize}.`,
      "Shorten the prompt (fewer notes in it) or raise the contextSize setting.",
    );
  }

  const prefix = await request.prefixes.prepare(request.slot, sequence, promptTokens);
  const toEvaluate = promptTokens.slice(prefix.reused + prefix.copied);

  const generated: Token[] = [];
  let firstTokenAt: number | undefined;
  let stopReason: StopReason = "eog";
  let stopCut = -1;
  const penaltyWindow = 64;
  const iterator = sequence.evaluate(toEvaluate, {
    temperature: sampling.temperature,
    topK: sampling.topK,
    topP: sampling.topP,
    minP: sampling.minP,
    seed: request.seed,
    grammarEvaluationState: request.grammarState,
    repeatPenalty: sampling.repeatPenalty > 1 ? { punishTokens: () => generated.slice(-penaltyWindow), penalty: sampling.repeatPenalty } : undefined,
    // node-llama-cpp refuses to bias end-of-generation tokens away; instead they are passed through and
    // decoded like any other token, so the run still has the fixed length a benchmark needs.
    yieldEogToken: sampling.ignoreEos,
  });
  let joined = false;
  try {
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      const token = step.value;
      if (firstTokenAt === undefined) {
        firstTokenAt = performance.now();
        prefix.done(); // the prompt is decoded: other agents may copy it now
      }
      if (!joined) {
        request.barrier.join(request.slot);
        joined = true;
      }
      if (!sampling.ignoreEos && request.stopTokens.has(token)) break;
      generated.push(token);
      if (request.stopTexts.length > 0) {
        stopCut = findStopText(model, generated, request.stopTexts);
        if (stopCut >= 0) {
          stopReason = "stop-text";
          break;
        }
      }
      if (signal?.aborted) {
        stopReason = "aborted";
        break;
      }
      if (generated.length >= request.maxTokens) {
        stopReason = "max-tokens";
        break;
      }
      await request.barrier.ready(request.slot);
    }
  } finally {
    if (joined) request.barrier.leave(request.slot);
    prefix.done();
    await iterator.return(undefined);
    request.prefixes.settle(request.slot);
  }
  let text = model.detokenize(generated);
  if (stopCut >= 0) text = text.slice(0, text.length - stopCut);
  return { text, firstTokenAt, completionTokens: generated.length, promptTokensEvaluated: toEvaluate.length, promptTokensReused: prefix.reused, promptTokensCopied: prefix.copied, stopReason };
}

/** How many characters to cut from the end if the output now ends with a stop text, else -1. */
function findStopText(model: LlamaModel, generated: Token[], stopTexts: readonly string[]): number {
  // Only the tail can complete a stop text; decode a short window rather than the whole output.
  const tail = model.detokenize(generated.slice(-16));
  for (const stop of stopTexts) {
    const at = tail.lastIndexOf(stop);
    if (at >= 0) return tail.length - at;
  }
  return -1;
}
