// self-BLEU computed the straightforward O(n²) way: for every hypothesis, scan every other document and take
// the max count per n-gram — NLTK's sentence_bleu over all references, with each document's n-gram counts
// made once instead of once per hypothesis. Kept as the oracle for the linear form and for the benchmark; the
// panel never calls it.
import { bleuFromCounts } from "./bleu";
import { tokenize } from "./tokens";

export function selfBleuNaive(corpus: readonly string[], maxN: number): number {
  const scores = selfBleuNaivePerDocument(corpus, maxN);
  return scores.length < 2 ? Number.NaN : scores.reduce((a, b) => a + b, 0) / scores.length;
}

export function selfBleuNaivePerDocument(corpus: readonly string[], maxN: number): number[] {
  const docs = corpus.map(tokenize);
  if (docs.length < 2) return docs.map(() => Number.NaN);
  // counts[d][n-1]: n-gram → count in document d.
  const counts = docs.map((tokens) => Array.from({ length: maxN }, (_, i) => ngramCounts(tokens, i + 1)));
  return docs.map((hypothesis, h) => {
    const matches: number[] = [];
    const totals: number[] = [];
    for (let n = 1; n <= maxN; n++) {
      const own = counts[h]![n - 1]!;
      let clipped = 0;
      let total = 0;
      for (const [gram, c] of own) {
        let maxOther = 0;
        for (let r = 0; r < docs.length; r++) {
          if (r !== h) maxOther = Math.max(maxOther, counts[r]![n - 1]!.get(gram) ?? 0);
        }
        clipped += Math.min(c, maxOther);
        total += c;
      }
      matches.push(clipped);
      totals.push(total);
    }
    // NLTK closest_ref_length: min over references by (|r − h|, r).
    let closest = Number.POSITIVE_INFINITY;
    docs.forEach((reference, r) => {
      if (r === h) return;
      const gap = Math.abs(reference.length - hypothesis.length);
      const bestGap = Math.abs(closest - hypothesis.length);
      if (gap < bestGap || (gap === bestGap && reference.length < closest)) closest = reference.length;
    });
    return bleuFromCounts(matches, totals, hypothesis.length, closest);
  });
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join("\u0000");
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}
