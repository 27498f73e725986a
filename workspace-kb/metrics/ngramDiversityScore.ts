// ngram_diversity_score = Σ_{n=1..4} |unique n-grams| / |n-grams| over the corpus joined by one space, so
// n-grams cross documents (Shaib et al. 2024, `diversity` package `ngram_diversity.py`). NaN below 4 tokens.
import { MAX_ORDER, prepare, type Corpus } from "./preparedCorpus";

export function ngramDiversityScore(corpus: Corpus): number {
  const prepared = prepare(corpus);
  if (prepared.order(MAX_ORDER).joinedTotal === 0) return Number.NaN;
  let score = 0;
  for (let n = 1; n <= MAX_ORDER; n++) {
    const order = prepared.order(n);
    score += order.joinedDistinct / order.joinedTotal;
  }
  return score;
}
