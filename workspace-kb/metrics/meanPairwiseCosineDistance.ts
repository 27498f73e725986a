// mean_pairwise_cosine_distance = 1 − mean over i≠j of cos(x_i, x_j). With unit rows, Σ_{i≠j} x̂_i·x̂_j =
// ‖Σ x̂‖² − Σ ‖x̂_i‖², so it is exact in O(n d). On unigram count vectors for a corpus (empty documents share
// one "no word" feature, as in the n-gram kernel), or on given vectors (a zero embedding has cosine 0 with
// everything). NaN for fewer than two documents.
import { prepare, type Corpus } from "./preparedCorpus";
import { normalised } from "./vendi";

export function meanPairwiseCosineDistance(corpus: Corpus): number {
  const prepared = prepare(corpus);
  const n = prepared.size;
  if (n < 2) return Number.NaN;
  const { ids, starts, ends, idBound: distinct } = prepared.order(1);
  const sum = new Float64Array(distinct);
  const count = new Int32Array(distinct);
  let selfSimilarity = 0;
  let empty = 0;
  for (let d = 0; d < n; d++) {
    const start = starts[d]!;
    const end = ends[d]!;
    if (end === start) {
      // As in the n-gram kernel: empty documents share one "no n-gram" feature.
      empty++;
      continue;
    }
    for (let i = start; i < end; i++) count[ids[i]!]!++;
    let norm = 0;
    for (let i = start; i < end; i++) {
      const c = count[ids[i]!]!;
      if (c > 0) {
        norm += c * c;
        count[ids[i]!] = -c;
      }
    }
    norm = Math.sqrt(norm);
    for (let i = start; i < end; i++) {
      const g = ids[i]!;
      if (count[g]! < 0) {
        sum[g]! += -count[g]! / norm;
        count[g] = 0;
      }
    }
    selfSimilarity += 1;
  }
  let squared = empty * empty;
  selfSimilarity += empty;
  for (const s of sum) squared += s * s;
  return 1 - (squared - selfSimilarity) / (n * (n - 1));
}

export function meanPairwiseCosineDistanceOfVectors(rows: readonly ArrayLike<number>[]): number {
  const n = rows.length;
  if (n < 2) return Number.NaN;
  const sum = new Float64Array(rows[0]!.length);
  let selfSimilarity = 0;
  for (const row of rows) {
    const unit = normalised(row);
    let norm = 0;
    for (let i = 0; i < unit.length; i++) {
      sum[i]! += unit[i]!;
      norm += unit[i]! * unit[i]!;
    }
    selfSimilarity += norm;
  }
  let squared = 0;
  for (const s of sum) squared += s * s;
  return 1 - (squared - selfSimilarity) / (n * (n - 1));
}
