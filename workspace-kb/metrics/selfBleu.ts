// self-BLEU-g = mean over documents of sentence-BLEU(hypothesis = the document, references = all the others),
// uniform weights over 1..g, NLTK SmoothingFunction().method1 (ε = 0.1), clipping by the max count over the
// references, brevity penalty with the closest reference length (ties → shorter), 0 when no unigram matches
// (Zhu et al. 2018 Texygen `SelfBleu.py`; NLTK `bleu_score.py`). Exact, in time linear in the number of
// n-grams (METRICS.md "Scaling"): per n-gram keep the two largest per-document counts and the holder of the
// largest, so "max count over the other documents" is O(1). NaN for fewer than two documents.
import { bleuFromCounts } from "./bleu";
import { prepare, type Corpus, type PreparedCorpus } from "./preparedCorpus";

export function selfBleu(corpus: Corpus, maxN: number): number {
  const scores = selfBleuPerDocument(corpus, maxN);
  if (scores.length < 2) return Number.NaN;
  let sum = 0;
  for (const s of scores) sum += s;
  return sum / scores.length;
}

export function selfBleuPerDocument(corpus: Corpus, maxN: number): Float64Array {
  const prepared = prepare(corpus);
  const docCount = prepared.size;
  const scores = new Float64Array(docCount);
  if (docCount < 2) return scores.fill(Number.NaN);
  const lengths = Array.from({ length: docCount }, (_, d) => prepared.length(d));
  const closest = closestOtherLengths(lengths);
  const numerators: Float64Array[] = [];
  for (let n = 1; n <= maxN; n++) numerators[n - 1] = prepared.memo(`self-bleu clipped ${n}`, () => clippedMatches(prepared, n));
  const matches = new Array<number>(maxN);
  const totals = new Array<number>(maxN);
  for (let d = 0; d < docCount; d++) {
    for (let n = 1; n <= maxN; n++) {
      matches[n - 1] = numerators[n - 1]![d]!;
      totals[n - 1] = Math.max(0, lengths[d]! - n + 1);
    }
    scores[d] = bleuFromCounts(matches, totals, lengths[d]!, closest[d]!);
  }
  return scores;
}

/** out[d] = Σ over distinct n-grams g of d of min(count_d(g), max over other documents of their count of g). */
function clippedMatches(prepared: PreparedCorpus, n: number): Float64Array {
  const { ids, starts, ends, idBound } = prepared.order(n);
  const docCount = prepared.size;
  // Per n-gram, in one cache line: [count in the current document, largest count, its document, second largest].
  const COUNT = 0;
  const TOP1 = 1;
  const TOP1_DOC = 2;
  const TOP2 = 3;
  const table = new Int32Array(idBound * 4);
  for (let g = 0; g < idBound; g++) table[g * 4 + TOP1_DOC] = -1;
  const out = new Float64Array(docCount);
  // Pass 1: each document's counts feed the two largest counts per n-gram.
  for (let d = 0; d < docCount; d++) {
    const start = starts[d]!;
    const end = ends[d]!;
    for (let i = start; i < end; i++) table[ids[i]! * 4 + COUNT]!++;
    for (let i = start; i < end; i++) {
      const at = ids[i]! * 4;
      const c = table[at + COUNT]!;
      if (c === 0) continue; // already recorded for this document
      table[at + COUNT] = 0;
      if (c > table[at + TOP1]!) {
        table[at + TOP2] = table[at + TOP1]!;
        table[at + TOP1] = c;
        table[at + TOP1_DOC] = d;
      } else if (c > table[at + TOP2]!) {
        table[at + TOP2] = c;
      }
    }
  }
  // Pass 2: clip each document's counts by the largest count held by another document.
  for (let d = 0; d < docCount; d++) {
    const start = starts[d]!;
    const end = ends[d]!;
    for (let i = start; i < end; i++) table[ids[i]! * 4 + COUNT]!++;
    let matched = 0;
    for (let i = start; i < end; i++) {
      const at = ids[i]! * 4;
      const c = table[at + COUNT]!;
      if (c === 0) continue;
      table[at + COUNT] = 0;
      const other = table[at + TOP1_DOC] === d ? table[at + TOP2]! : table[at + TOP1]!;
      matched += Math.min(c, other);
    }
    out[d] = matched;
  }
  return out;
}

/** For each document, the other documents' length closest to its own (ties → the shorter), as NLTK picks it. */
export function closestOtherLengths(lengths: readonly number[]): Int32Array {
  const sorted = Int32Array.from(lengths).sort();
  const out = new Int32Array(lengths.length);
  lengths.forEach((length, d) => {
    const first = lowerBound(sorted, length);
    const last = lowerBound(sorted, length + 1); // sorted[first..last) === length
    if (last - first >= 2) {
      out[d] = length;
      return;
    }
    const below = first > 0 ? sorted[first - 1]! : undefined;
    const above = last < sorted.length ? sorted[last]! : undefined;
    if (below === undefined) out[d] = above!;
    else if (above === undefined) out[d] = below;
    else out[d] = above - length < length - below ? above : below;
  });
  return out;
}

function lowerBound(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
