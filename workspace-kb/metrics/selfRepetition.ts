// self_repetition = (1/|D|) Σ_d ln(1 + Σ_{g ∈ unique 4-grams of d} (df(g) − 1)), df = number of documents
// containing g (Shaib et al. 2024, `self_repetition.py`). NaN for an empty corpus.
import { prepare, type Corpus } from "./preparedCorpus";

export function selfRepetition(corpus: Corpus, n = 4): number {
  const prepared = prepare(corpus);
  if (prepared.size === 0) return Number.NaN;
  const { ids, starts, ends, idBound } = prepared.order(n);
  // Per n-gram, side by side (one cache line): [last document counted, document frequency].
  const table = new Int32Array(idBound * 2);
  for (let g = 0; g < idBound; g++) table[g * 2] = -1;
  const docCount = prepared.size;
  for (let d = 0; d < docCount; d++) {
    for (let i = starts[d]!; i < ends[d]!; i++) {
      const at = ids[i]! * 2;
      if (table[at] !== d) {
        table[at] = d;
        table[at + 1]!++;
      }
    }
  }
  // Second pass marks documents with their bitwise complement so "already counted" needs no reset.
  let total = 0;
  for (let d = 0; d < docCount; d++) {
    let shared = 0;
    for (let i = starts[d]!; i < ends[d]!; i++) {
      const at = ids[i]! * 2;
      if (table[at] !== ~d) {
        table[at] = ~d;
        shared += table[at + 1]! - 1;
      }
    }
    total += Math.log(1 + shared);
  }
  return total / docCount;
}
