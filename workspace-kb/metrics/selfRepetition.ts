// self_repetition = (1/|D|) Σ_d ln(1 + Σ_{g ∈ unique 4-grams of d} (df(g) − 1)), df = number of documents
// containing g (Shaib et al. 2024, `self_repetition.py`). NaN for an empty corpus.
import { prepare, type Corpus } from "./preparedCorpus";

export function selfRepetition(corpus: Corpus, n = 4): number {
  const prepared = prepare(corpus);
  if (prepared.size === 0) return Number.NaN;
  const { ids, starts, ends, idBound: distinct } = prepared.order(n);
  const df = new Int32Array(distinct);
  const lastDoc = new Int32Array(distinct).fill(-1);
  const docCount = prepared.size;
  const forEachUnique = (d: number, visit: (g: number) => void) => {
    for (let i = starts[d]!; i < ends[d]!; i++) {
      const g = ids[i]!;
      if (lastDoc[g] !== d) {
        lastDoc[g] = d;
        visit(g);
      }
    }
  };
  for (let d = 0; d < docCount; d++) forEachUnique(d, (g) => df[g]!++);
  lastDoc.fill(-1);
  let total = 0;
  for (let d = 0; d < docCount; d++) {
    let shared = 0;
    forEachUnique(d, (g) => (shared += df[g]! - 1));
    total += Math.log(1 + shared);
  }
  return total / docCount;
}
