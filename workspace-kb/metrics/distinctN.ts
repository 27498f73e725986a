// distinct-n = |unique n-grams over the corpus| / |n-grams over the corpus|, n-grams inside each document
// (Li et al. 2016; corpus form of Vendi-Score `text_utils`). NaN when the corpus has no n-gram of order n.
import { prepare, type Corpus } from "./preparedCorpus";

export function distinctN(corpus: Corpus, n: number): number {
  const order = prepare(corpus).order(n);
  return order.total === 0 ? Number.NaN : order.distinct / order.total;
}
