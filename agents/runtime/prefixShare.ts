// Shared prompt prefixes decoded once per context: when an agent's prompt begins like a prompt another sequence of
// the same context has decoded (or is decoding), it waits for that decode, copies the other sequence's KV cache
// (llama.cpp's memory seq_cp, through node-llama-cpp's internal `_copyStateFromOtherSequence`) and decodes only the
// rest. The first of several agents given the same prompt decodes it; the others copy.
//
// Only with "batched" decoding (loadedModel.ts): measured on the tiny model (test/runtime/prefixSharing.test.ts), a
// copy is faithful — the same logits as decoding the same chunks in the sequence itself — but a prompt's logits
// depend on where it was split into decodes (99 tokens decoded whole vs as 43 + 56: logits differ by 3.5e-4), and
// whether a copy happens depends on timing, so a copied run would not replay exactly. Only "clean" tokens are copied
// — decoded in a prompt chunk of two or more, never generated ones, which a one-token decode computes with another
// kernel — and at least two prompt tokens are left to decode.
import type { LlamaContextSequence, Token } from "node-llama-cpp";

/** Fewer shared tokens than this are decoded rather than copied (a copy moves the whole KV stream). */
export const MIN_COPY_TOKENS = 16;

interface Held {
  sequence: LlamaContextSequence;
  /** The prompt of the sequence's current (or latest) call. */
  tokens: readonly Token[];
  /** How many leading tokens hold clean KV once `decoded` resolves. */
  clean: number;
  decoded: Promise<void>;
  /** Copies being taken from this sequence: its next call waits for them before it erases anything. */
  copies: Set<Promise<unknown>>;
}

export interface PromptPlan {
  /** Tokens this sequence keeps from its own previous call. */
  reused: number;
  /** Tokens copied from another sequence of the context (0: none). */
  copied: number;
}

export class PrefixShare {
  private readonly held = new Map<number, Held>();

  constructor(private readonly enabled: boolean) {}

  /**
   * Prepares `sequence` (slot `slot`) to decode `prompt`: keeps its own matching prefix or copies a longer clean one
   * from another sequence, and erases the rest. Returns how the prompt's prefix was obtained; the caller decodes the
   * remaining tokens and calls `done` once they are decoded (or the call ended without decoding them).
   */
  async prepare(slot: number, sequence: LlamaContextSequence, prompt: readonly Token[]): Promise<PromptPlan & { done: () => void }> {
    const previous = this.held.get(slot);
    // Copies other agents take from this sequence finish before anything of it is erased (a failed copy is the
    // copying agent's error, reported by its own call).
    while (previous && previous.copies.size > 0) await Promise.allSettled(previous.copies);
    const ownClean = previous && previous.sequence === sequence ? previous.clean : 0;
    let reused = commonPrefix(sequence.contextTokens, prompt, prompt.length - 1);

    // From here to the registration below nothing is awaited: a source is chosen among calls that arrived earlier,
    // so waits cannot form a cycle. A copy is allowed only when the own prefix is clean: then the prompt's logits are
    // the same with or without it.
    let source: Held | undefined;
    let copyLength = 0;
    if (this.enabled && reused <= ownClean) {
      for (const [other, candidate] of this.held) {
        if (other === slot || candidate.sequence.disposed) continue;
        const length = commonPrefix(candidate.tokens, prompt, Math.min(candidate.clean, prompt.length - 2));
        if (length > copyLength) [source, copyLength] = [candidate, length];
      }
      if (copyLength < reused + MIN_COPY_TOKENS) source = undefined;
    }
    // Clean after this prompt is decoded: all of it when the kept prefix is clean and at least two tokens follow it
    // (a one-token rest is decoded alone); a kept prefix that ran into generated tokens leaves it as clean as before.
    const clean = reused <= ownClean ? (prompt.length - reused >= 2 ? prompt.length : reused) : ownClean;
    let finish!: () => void;
    const entry: Held = { sequence, tokens: prompt, clean, decoded: new Promise<void>((resolve) => (finish = resolve)), copies: new Set() };
    this.held.set(slot, entry);

    try {
      if (source) {
        const copy = source.decoded.then(() => copyPrefix(sequence, source.sequence, prompt, copyLength));
        source.copies.add(copy);
        const copied = await copy.finally(() => source.copies.delete(copy));
        if (copied) return { reused: 0, copied: copyLength, done: finish };
        // A failed copy may have emptied the sequence: what is left of its own prefix is kept.
        reused = commonPrefix(sequence.contextTokens, prompt, prompt.length - 1);
      }
      if (sequence.nextTokenIndex > reused) await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
      return { reused, copied: 0, done: finish };
    } catch (error) {
      entry.clean = 0;
      finish();
      throw error;
    }
  }

  /** After a call: a context shift may have moved the prompt's tokens, and then none of them is clean any more. */
  settle(slot: number): void {
    const entry = this.held.get(slot);
    if (entry && commonPrefix(entry.sequence.contextTokens, entry.tokens, entry.clean) < entry.clean) entry.clean = 0;
  }

  forget(slot: number): void {
    this.held.delete(slot);
  }
}

/**
 * Copies `source`'s first `length` tokens into `target`. False (and `target` emptied) when node-llama-cpp lacks the
 * private copy method (a later version may rename it) or the source no longer holds those tokens.
 */
async function copyPrefix(target: LlamaContextSequence, source: LlamaContextSequence, prompt: readonly Token[], length: number): Promise<boolean> {
  const internals = target as unknown as { _copyStateFromOtherSequence?: (other: LlamaContextSequence, upTo: number) => Promise<boolean> };
  if (typeof internals._copyStateFromOtherSequence !== "function" || source.disposed) return false;
  const ok = await internals._copyStateFromOtherSequence.call(target, source, length);
  if (ok && commonPrefix(target.contextTokens, prompt, length) === length) return true;
  if (target.nextTokenIndex > 0) await target.eraseContextTokenRanges([{ start: 0, end: target.nextTokenIndex }]);
  return false;
}

/** Length of the common prefix of two token lists, at most `limit`. */
export function commonPrefix(a: readonly Token[], b: readonly Token[], limit: number): number {
  const end = Math.min(a.length, b.length, Math.max(0, limit));
  let i = 0;
  while (i < end && a[i] === b[i]) i++;
  return i;
}
