// Every n-gram (n = 1..maxN) of a corpus as dense integer ids, built once in a few streaming passes: the shared
// input of the n-gram metrics. Ids are assigned over the corpus joined into one sequence, so the same arrays
// serve the per-document metrics (n-grams inside documents) and ngram_diversity_score (n-grams across them).
import { internPairs } from "./internPairs";

/** A corpus as token ids, documents concatenated: doc d is tokens[offsets[d]..offsets[d+1]). */
export interface TokenCorpus {
  tokens: Int32Array;
  offsets: Int32Array;
  /** Every id is below this. */
  vocabularySize: number;
}

/** The n-grams of one order. */
export interface NgramOrder {
  n: number;
  /**
   * Id of the joined-corpus n-gram starting at each token position; doc d's own n-grams (inside it, in text
   * order) are ids[starts[d]..ends[d]) — views, not copies.
   */
  ids: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  /** Number of n-grams inside documents. */
  total: number;
  /** Every id is below this (ids of n-grams that only occur across a document boundary included). */
  idBound: number;
  /** Distinct n-grams inside documents. */
  distinct: number;
  /** Distinct n-grams and n-gram count of the corpus joined by one space. */
  joinedDistinct: number;
  joinedTotal: number;
}

/** Concatenate documents already encoded as token ids; `vocabularySize` bounds the ids. */
export function tokenCorpus(encoded: readonly Int32Array[], vocabularySize: number): TokenCorpus {
  const offsets = new Int32Array(encoded.length + 1);
  encoded.forEach((doc, d) => (offsets[d + 1] = offsets[d]! + doc.length));
  const tokens = new Int32Array(offsets[encoded.length]!);
  encoded.forEach((doc, d) => tokens.set(doc, offsets[d]!));
  return { tokens, offsets, vocabularySize };
}

/** Orders 1..maxN; the joined n-gram at position p of order n is the pair (order n−1 at p, token p+n−1). */
export function ngramOrders(corpus: TokenCorpus, maxN: number): NgramOrder[] {
  const { tokens } = corpus;
  const orders: NgramOrder[] = [];
  let joined: Int32Array = tokens;
  let idBound = corpus.vocabularySize;
  for (let n = 1; n <= maxN; n++) {
    if (n > 1) {
      const count = Math.max(0, tokens.length - n + 1);
      const interned = internPairs(joined.subarray(0, count), tokens.subarray(n - 1, n - 1 + count));
      joined = interned.ids;
      idBound = interned.distinct;
    }
    orders.push(withinDocuments(corpus, n, joined, idBound));
  }
  return orders;
}

function withinDocuments(corpus: TokenCorpus, n: number, joined: Int32Array, idBound: number): NgramOrder {
  const docCount = corpus.offsets.length - 1;
  const starts = corpus.offsets.slice(0, docCount);
  const ends = new Int32Array(docCount);
  const seen = new Uint8Array(idBound);
  let distinct = 0;
  let total = 0;
  for (let d = 0; d < docCount; d++) {
    const from = corpus.offsets[d]!;
    const end = Math.max(from, corpus.offsets[d + 1]! - n + 1);
    ends[d] = end;
    total += end - from;
    for (let i = from; i < end; i++) {
      const id = joined[i]!;
      if (!seen[id]) {
        seen[id] = 1;
        distinct++;
      }
    }
  }
  const joinedTotal = Math.max(0, corpus.tokens.length - n + 1);
  // Every token is inside a document; every id of a higher order came from a joined position.
  const joinedDistinct = n === 1 ? distinct : idBound;
  return { n, ids: joined, starts, ends, total, idBound, distinct, joinedDistinct, joinedTotal };
}
