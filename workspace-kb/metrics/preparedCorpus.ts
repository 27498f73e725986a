// A corpus with its tokens and n-gram ids computed once and shared by every metric that needs them, so the
// whole panel tokenizes a 100k-document corpus a single time. Plain string arrays are prepared on demand.
import { ngramOrders, tokenCorpus, type NgramOrder, type TokenCorpus } from "./ngramIndex";
import { tokenize } from "./tokens";

export type Corpus = readonly string[] | PreparedCorpus;

export const MAX_ORDER = 4;

export class PreparedCorpus {
  private tokenLists?: string[][];
  private ids?: TokenCorpus;
  private orders?: NgramOrder[];

  constructor(readonly docs: readonly string[]) {}

  get size(): number {
    return this.docs.length;
  }

  /** Whitespace tokens of each document. */
  get tokens(): string[][] {
    return (this.tokenLists ??= this.docs.map(tokenize));
  }

  get tokenIds(): TokenCorpus {
    return (this.ids ??= tokenCorpus(this.tokens));
  }

  /** The n-grams of order n (1..4) of every document. */
  order(n: number): NgramOrder {
    if (n < 1 || n > MAX_ORDER) throw new RangeError(`n-gram order ${n} is outside 1..${MAX_ORDER}`);
    this.orders ??= ngramOrders(this.tokenIds, MAX_ORDER);
    return this.orders[n - 1]!;
  }

  /** Number of tokens of document d. */
  length(d: number): number {
    const { offsets } = this.tokenIds;
    return offsets[d + 1]! - offsets[d]!;
  }
}

export function prepare(corpus: Corpus): PreparedCorpus {
  return corpus instanceof PreparedCorpus ? corpus : new PreparedCorpus(corpus);
}
