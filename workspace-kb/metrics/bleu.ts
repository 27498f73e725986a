// Sentence-BLEU from clipped match counts, as NLTK `corpus_bleu` computes it for one hypothesis with uniform
// weights and SmoothingFunction().method1: 0 without a unigram match; a zero numerator becomes ε/denominator.
export const SMOOTHING_EPSILON = 0.1;

/**
 * matches[n-1] / totals[n-1] are the clipped n-gram matches and the hypothesis' n-gram count for n = 1..g;
 * NLTK's denominator is max(1, total). refLength is the closest reference length.
 */
export function bleuFromCounts(matches: readonly number[], totals: readonly number[], hypLength: number, refLength: number): number {
  if (matches[0] === 0) return 0;
  const weight = 1 / matches.length;
  let logSum = 0;
  for (let i = 0; i < matches.length; i++) {
    const denominator = Math.max(1, totals[i]!);
    const numerator = matches[i]! === 0 ? SMOOTHING_EPSILON : matches[i]!;
    logSum += weight * Math.log(numerator / denominator);
  }
  return brevityPenalty(refLength, hypLength) * Math.exp(logSum);
}

export function brevityPenalty(refLength: number, hypLength: number): number {
  if (hypLength > refLength) return 1;
  if (hypLength === 0) return 0;
  return Math.exp(1 - refLength / hypLength);
}
