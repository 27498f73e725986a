// Every n-gram (n = 1..maxN) of every document, as dense integer ids in flat arrays: the shared input of the
// n-gram metrics, built once in time linear in the number of tokens. n-grams never cross documents.
import { IdTable } from "./idTable";

/** Tokens of a corpus as integer ids, documents concatenated; doc d is tokens[offsets[d]..offsets[d+1]). */
export interface TokenCorpus {
  tokens: Int32Array;
  offsets: Int32Array;
  /** Distinct tokens seen (ids are 0..vocabularySize-1). */
  vocabularySize: number;
}

/** The n-grams of one order: doc d's are ids[offsets[d]..offsets[d+1]) in text order. */
export interface NgramOrder {
  n: number;
  ids: Int32Array;
  offsets: Int32Array;
  /** Number of distinct n-grams of this order in the corpus. */
  distinct: number;
}

const TOKEN_SPACE = 2 ** 26;

export function tokenCorpus(docs: readonly string[][]): TokenCorpus {
  const vocabulary = new Map<string, number>();
  let total = 0;
  for (const doc of docs) total += doc.length;
  const tokens = new Int32Array(total);
  const offsets = new Int32Array(docs.length + 1);
  let at = 0;
  docs.forEach((doc, d) => {
    for (const token of doc) {
      let id = vocabulary.get(token);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(token, id);
      }
      tokens[at++] = id;
    }
    offsets[d + 1] = at;
  });
  if (vocabulary.size >= TOKEN_SPACE) throw new RangeError(`more than ${TOKEN_SPACE} distinct tokens`);
  return { tokens, offsets, vocabularySize: vocabulary.size };
}

/** Orders 1..maxN; order n is built from order n-1 by interning (id of the prefix, next token). */
export function ngramOrders(corpus: TokenCorpus, maxN: number): NgramOrder[] {
  const docCount = corpus.offsets.length - 1;
  const orders: NgramOrder[] = [];
  let previous: NgramOrder | undefined;
  for (let n = 1; n <= maxN; n++) {
    const offsets = new Int32Array(docCount + 1);
    for (let d = 0; d < docCount; d++) {
      const length = corpus.offsets[d + 1]! - corpus.offsets[d]!;
      offsets[d + 1] = offsets[d]! + Math.max(0, length - n + 1);
    }
    const ids = new Int32Array(offsets[docCount]!);
    const table = new IdTable(Math.min(ids.length, 1 << 22));
    for (let d = 0; d < docCount; d++) {
      const start = corpus.offsets[d]!;
      const count = offsets[d + 1]! - offsets[d]!;
      for (let i = 0; i < count; i++) {
        const key = previous === undefined
          ? corpus.tokens[start + i]!
          : previous.ids[previous.offsets[d]! + i]! * TOKEN_SPACE + corpus.tokens[start + i + n - 1]!;
        ids[offsets[d]! + i] = table.intern(key);
      }
    }
    previous = { n, ids, offsets, distinct: table.size };
    orders.push(previous);
  }
  return orders;
}
