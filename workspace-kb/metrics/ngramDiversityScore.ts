// ngram_diversity_score = Σ_{n=1..4} |unique n-grams| / |n-grams| over the corpus joined by one space, so
// n-grams cross documents (Shaib et al. 2024, `diversity` package `ngram_diversity.py`). NaN below 4 tokens.
import { ngramOrders } from "./ngramIndex";
import { prepare, type Corpus } from "./preparedCorpus";

export function ngramDiversityScore(corpus: Corpus, maxN = 4): number {
  const ids = prepare(corpus).tokenIds;
  // The joined corpus is one long document: same tokens, a single pair of offsets.
  const joined = { ...ids, offsets: Int32Array.of(0, ids.tokens.length) };
  if (ids.tokens.length < maxN) return Number.NaN;
  let score = 0;
  for (const order of ngramOrders(joined, maxN)) score += order.distinct / order.ids.length;
  return score;
}
