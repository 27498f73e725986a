// How node-llama-cpp fills each llama.cpp batch for a shared context (its batch-prioritization hook):
// 1. Wait for the whole step. Agents released together by the StepBarrier queue their tokens through a few
//    promise hops; node-llama-cpp's dispatcher re-checks its queue in the same hops and would decode the first
//    arrivals alone. While a released agent's token is still missing, this returns an empty batch, which makes
//    the dispatcher look again a microtask later (bounded, so a token that never comes cannot stall decoding).
// 2. Order by sequence id. With a per-sequence KV cache (node-llama-cpp sets kv_unified = false), llama.cpp
//    runs one pass over the weights per run of consecutive, increasing sequence ids
//    (llama_batch_allocr::split_equal, sequential = true); an unordered batch of 8 costs several passes.
// 3. With `oneSequencePerDecode` ("exact" decoding), each decode holds one agent's tokens, the lowest sequence id
//    first: a token is then always computed the same way whatever the other agents are doing, so a run replays
//    exactly. A long prompt is split so that no single token is left over. (llama.cpp's CPU kernels give a token decoded alone slightly different logits from one decoded
//    with others; batches of two or more agents agree with each other.)
// Both need node-llama-cpp's private decode queue (which sequence owns each queued token array); if a later
// version renames it, batches are still decoded, just in arrival order.
import type { BatchItem, CustomBatchingPrioritizationStrategy, LlamaContext, PrioritizedBatchItem, Token } from "node-llama-cpp";
import type { StepBarrier } from "./stepBarrier";

interface QueuedDecode {
  tokens: readonly Token[];
  sequenceId: number;
}

/** Empty batches returned in a row before decoding what is there anyway. */
const MAX_WAITS = 200;

export function stepBatching(barrier: StepBarrier, options: { oneSequencePerDecode?: boolean } = {}): { strategy: CustomBatchingPrioritizationStrategy; attach(context: LlamaContext): void } {
  let queue: () => readonly QueuedDecode[] = () => [];
  let waits = 0;
  const strategy: CustomBatchingPrioritizationStrategy = ({ items, size }) => {
    // BatchItem carries no sequence id; its tokens array is the queued decode's own array, which does.
    const sequenceOf = new Map(queue().map((q) => [q.tokens, q.sequenceId]));
    if (options.oneSequencePerDecode) return oneSequence(items, size, sequenceOf);
    const present = new Set(items.map((item) => sequenceOf.get(item.tokens)));
    const missing = [...barrier.cohort].some((slot) => !present.has(slot));
    if (missing && sequenceOf.size > 0 && waits < MAX_WAITS) {
      waits++;
      return [];
    }
    waits = 0;
    for (const slot of present) if (slot !== undefined) barrier.cohort.delete(slot);
    const ordered = [...items].sort((a, b) => (sequenceOf.get(a.tokens) ?? 0) - (sequenceOf.get(b.tokens) ?? 0));
    return fairShare(ordered, size);
  };
  return {
    strategy,
    attach(context) {
      const internals = context as unknown as { _queuedDecodes?: QueuedDecode[] };
      queue = () => internals._queuedDecodes ?? [];
    },
  };
}

/**
 * The queued tokens of the lowest sequence id only (one sequence may have several queued arrays, decoded in queue
 * order). Without node-llama-cpp's queue (a renamed private field) it decodes the first item alone: still one
 * sequence per decode.
 */
function oneSequence(items: readonly BatchItem[], size: number, sequenceOf: Map<readonly Token[], number>): PrioritizedBatchItem[] {
  if (items.length === 0) return [];
  const known = items.filter((item) => sequenceOf.has(item.tokens));
  const first = known.length > 0 ? Math.min(...known.map((item) => sequenceOf.get(item.tokens)!)) : undefined;
  const chosen = first === undefined ? [items[0]!] : known.filter((item) => sequenceOf.get(item.tokens) === first);
  const result: PrioritizedBatchItem[] = [];
  let left = size;
  for (const item of chosen) {
    if (left === 0) break;
    let amount = Math.min(item.tokens.length, left);
    // Never leave one prompt token over for the next decode: a token decoded alone gets slightly different values,
    // and prefixShare.ts relies on prompt tokens being computed the same however a prompt is split.
    if (item.tokens.length - amount === 1 && amount > 2) amount--;
    result.push({ item, processAmount: amount });
    left -= amount;
  }
  return result;
}

/** The id node-llama-cpp gave a sequence (private; its order of creation when unavailable). */
export function sequenceIdOf(sequence: object, fallback: number): number {
  const id = (sequence as { _sequenceId?: unknown })._sequenceId;
  return typeof id === "number" ? id : fallback;
}

/** Every item gets an equal share of the batch, leftovers go to items in order (node-llama-cpp's default policy). */
export function fairShare(items: readonly BatchItem[], size: number): PrioritizedBatchItem[] {
  const share = Math.max(1, Math.floor(size / Math.max(1, items.length)));
  let left = size;
  const result: PrioritizedBatchItem[] = [];
  for (const item of items) {
    if (left === 0) break;
    const amount = Math.min(item.tokens.length, share, left);
    result.push({ item, processAmount: amount });
    left -= amount;
  }
  for (const entry of result) {
    if (left === 0) break;
    const more = Math.min(entry.item.tokens.length - entry.processAmount, left);
    entry.processAmount += more;
    left -= more;
  }
  return result;
}
