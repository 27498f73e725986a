// A corpus with its token ids and n-gram ids computed once and shared by every metric that needs them, so the
// whole panel tokenizes a 100k-document corpus a single time. Plain string arrays are prepared on demand; a
// panel window passes its long-lived vocabulary and the documents it has already encoded.
import { ngramOrders, tokenCorpus, type NgramOrder, type TokenCorpus } from "./ngramIndex";
import { Vocabulary } from "./vocabulary";

export type Corpus = readonly string[] | PreparedCorpus;

export const MAX_ORDER = 4;

export class PreparedCorpus {
  private ids?: TokenCorpus;
  private orders?: NgramOrder[];
  private lower?: TokenCorpus;
  private lowerOrders?: NgramOrder[];
  private readonly memos = new Map<string, unknown>();

  constructor(
    readonly docs: readonly string[],
    readonly vocabulary = new Vocabulary(),
    /** Each document's token ids in `vocabulary`, if already known. */
    private readonly encoded?: readonly Int32Array[],
  ) {}

  get size(): number {
    return this.docs.length;
  }

  /** Whitespace tokens of every document, as ids. */
  get tokenIds(): TokenCorpus {
    if (!this.ids) {
      const encoded = this.encoded ?? this.docs.map((doc) => this.vocabulary.encode(doc));
      this.ids = tokenCorpus(encoded, this.vocabulary.tokens.length);
    }
    return this.ids;
  }

  /** The n-grams of order n (1..4) of every document. */
  order(n: number): NgramOrder {
    checkOrder(n);
    this.orders ??= ngramOrders(this.tokenIds, MAX_ORDER);
    return this.orders[n - 1]!;
  }

  /** Lowercased whitespace tokens, as ids (near-duplicate shingles and answer clusters ignore case). */
  get lowercaseTokenIds(): TokenCorpus {
    if (!this.lower) {
      const { tokens, offsets } = this.tokenIds;
      const lowered = tokens.map((t) => this.vocabulary.lowercaseId(t));
      this.lower = { tokens: lowered, offsets, vocabularySize: this.vocabulary.lowercaseTokens.length };
    }
    return this.lower;
  }

  /** n-grams (n ≤ 3) of the lowercased tokens. */
  lowercaseOrder(n: number): NgramOrder {
    checkOrder(n);
    this.lowerOrders ??= ngramOrders(this.lowercaseTokenIds, 3);
    return this.lowerOrders[n - 1]!;
  }

  /** rouge_score tokens of document d, as ids. */
  rougeTokenIds(d: number): Int32Array {
    const { tokens, offsets } = this.tokenIds;
    const out: number[] = [];
    for (let i = offsets[d]!; i < offsets[d + 1]!; i++) out.push(...this.vocabulary.rougePieces(tokens[i]!));
    return Int32Array.from(out);
  }

  /**
   * The last k documents as a corpus of their own. When this corpus is indexed, its token and n-gram arrays are
   * views into this one's (n-gram ids keep this corpus' numbering, which every metric accepts), so the kernel
   * window costs no second indexing.
   */
  lastDocuments(k: number): PreparedCorpus {
    const from = Math.max(0, this.size - k);
    if (from === 0) return this;
    // Views only pay when this corpus is indexed already; otherwise index the tail alone.
    if (!this.orders) return new PreparedCorpus(this.docs.slice(from), this.vocabulary);
    const tail = new PreparedCorpus(this.docs.slice(from), this.vocabulary);
    const ids = this.tokenIds;
    tail.ids = { tokens: ids.tokens, offsets: ids.offsets.subarray(from), vocabularySize: ids.vocabularySize };
    tail.orders = Array.from({ length: MAX_ORDER }, (_, i) => tailOrder(this.order(i + 1), from));
    return tail;
  }

  /** Number of tokens of document d. */
  length(d: number): number {
    const { offsets } = this.tokenIds;
    return offsets[d + 1]! - offsets[d]!;
  }

  /** An intermediate result shared between metrics (e.g. self-BLEU-3 and -4 share clipped counts). */
  memo<T>(key: string, make: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, make());
    return this.memos.get(key) as T;
  }
}

export function prepare(corpus: Corpus): PreparedCorpus {
  return corpus instanceof PreparedCorpus ? corpus : new PreparedCorpus(corpus);
}

function tailOrder(order: NgramOrder, from: number): NgramOrder {
  // Corpus-wide counts do not describe the tail; only the per-document n-grams are meaningful there.
  return { ...order, starts: order.starts.subarray(from), ends: order.ends.subarray(from), total: Number.NaN, distinct: Number.NaN, joinedDistinct: Number.NaN, joinedTotal: Number.NaN };
}

function checkOrder(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_ORDER) throw new RangeError(`n-gram order ${n} is outside 1..${MAX_ORDER}`);
}
