// self-BLEU computed the straightforward O(n²) way NLTK does it — for every hypothesis, count every other
// document's n-grams again and take the max per n-gram. Kept as the oracle for the linear form and for the
// benchmark; the panel never calls it.
import { bleuFromCounts } from "./bleu";
import { tokenize } from "./tokens";

export function selfBleuNaive(corpus: readonly string[], maxN: number): number {
  const scores = selfBleuNaivePerDocument(corpus, maxN);
  return scores.length < 2 ? Number.NaN : scores.reduce((a, b) => a + b, 0) / scores.length;
}

export function selfBleuNaivePerDocument(corpus: readonly string[], maxN: number): number[] {
  const docs = corpus.map(tokenize);
  if (docs.length < 2) return docs.map(() => Number.NaN);
  return docs.map((hypothesis, h) => {
    const references = docs.filter((_, r) => r !== h);
    const matches: number[] = [];
    const totals: number[] = [];
    for (let n = 1; n <= maxN; n++) {
      const counts = ngramCounts(hypothesis, n);
      const maxCounts = new Map<string, number>();
      for (const reference of references) {
        for (const [gram, c] of ngramCounts(reference, n)) maxCounts.set(gram, Math.max(maxCounts.get(gram) ?? 0, c));
      }
      let clipped = 0;
      let total = 0;
      for (const [gram, c] of counts) {
        clipped += Math.min(c, maxCounts.get(gram) ?? 0);
        total += c;
      }
      matches.push(clipped);
      totals.push(total);
    }
    // NLTK closest_ref_length: min over references by (|r − h|, r).
    let closest = Number.POSITIVE_INFINITY;
    for (const reference of references) {
      const r = reference.length;
      const better = Math.abs(r - hypothesis.length) < Math.abs(closest - hypothesis.length)
        || (Math.abs(r - hypothesis.length) === Math.abs(closest - hypothesis.length) && r < closest);
      if (better) closest = r;
    }
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
