// near_duplicate_rate = fraction of documents whose maximum Jaccard similarity (sets of lowercased word
// 3-shingles) to any other document is ≥ 0.8 (Broder 1997). Exact at scale by prefix filtering (Bayardo et
// al. 2007, "All-pairs"): with shingles ordered rarest first, two sets with Jaccard ≥ t share a shingle within
// their first |A| − ⌈t|A|⌉ + 1, so only those postings are probed, and a document stops at its first partner.
// A document with fewer than 3 words has no shingles and is never a near-duplicate. NaN for an empty corpus.
import { prepare, type Corpus, type PreparedCorpus } from "./preparedCorpus";
import { tokenize } from "./tokens";

export const NEAR_DUPLICATE_THRESHOLD = 0.8;

export function nearDuplicateRate(corpus: Corpus, threshold = NEAR_DUPLICATE_THRESHOLD): number {
  const prepared = prepare(corpus);
  const n = prepared.size;
  if (n === 0) return Number.NaN;
  const ranked = rankedShingleSets(prepared);
  const prefixLength = (size: number) => Math.min(size, size - Math.ceil(threshold * size - 1e-9) + 1);

  // Postings of prefix shingles, in compressed-row form (one flat array, offsets per shingle rank).
  let shingleCount = 0;
  for (const set of ranked) if (set.length > 0) shingleCount = Math.max(shingleCount, set[set.length - 1]! + 1);
  const postingStart = new Int32Array(shingleCount + 1);
  for (const set of ranked) for (let i = 0; i < prefixLength(set.length); i++) postingStart[set[i]! + 1]!++;
  for (let r = 0; r < shingleCount; r++) postingStart[r + 1]! += postingStart[r]!;
  const postings = new Int32Array(postingStart[shingleCount]!);
  const fill = postingStart.slice(0, shingleCount);
  ranked.forEach((set, d) => {
    for (let i = 0; i < prefixLength(set.length); i++) postings[fill[set[i]!]!++] = d;
  });

  const isDuplicate = new Uint8Array(n);
  const lastProbe = new Int32Array(n).fill(-1);
  for (let d = 0; d < n; d++) {
    if (isDuplicate[d]) continue;
    const set = ranked[d]!;
    const size = set.length;
    search: for (let i = 0; i < prefixLength(size); i++) {
      for (let p = postingStart[set[i]!]!; p < postingStart[set[i]! + 1]!; p++) {
        const other = postings[p]!;
        if (other === d || lastProbe[other] === d) continue;
        lastProbe[other] = d;
        const otherSize = ranked[other]!.length;
        // Jaccard ≥ t needs the smaller set to hold at least t of the larger (tolerance keeps 4/5 = 0.8 in).
        if (otherSize < threshold * size - 1e-9 || size < threshold * otherSize - 1e-9) continue;
        if (jaccardSorted(set, ranked[other]!) >= threshold) {
          isDuplicate[d] = 1;
          isDuplicate[other] = 1;
          break search;
        }
      }
    }
  }
  let count = 0;
  for (const flag of isDuplicate) count += flag;
  return count / n;
}

/** Each document's distinct shingles, renamed by ascending document frequency (rank 0 = rarest) and sorted. */
function rankedShingleSets(prepared: PreparedCorpus): Int32Array[] {
  const { ids, starts, ends, idBound } = prepared.lowercaseOrder(3);
  const n = prepared.size;
  // Per shingle, side by side (one cache line): [last document seen, document frequency].
  const table = new Int32Array(idBound * 2);
  for (let s = 0; s < idBound; s++) table[s * 2] = -1;
  // Distinct shingles of every document, flat: doc d's are unique[setStart[d]..setStart[d+1]).
  const unique = new Int32Array(ends.reduce((sum, e, d) => sum + e - starts[d]!, 0));
  const setStart = new Int32Array(n + 1);
  let at = 0;
  for (let d = 0; d < n; d++) {
    for (let i = starts[d]!; i < ends[d]!; i++) {
      const s = ids[i]!;
      if (table[s * 2] !== d) {
        table[s * 2] = d;
        table[s * 2 + 1]!++;
        unique[at++] = s;
      }
    }
    setStart[d + 1] = at;
  }
  // Counting sort of shingles by document frequency gives each its rank.
  const byDf = new Int32Array(n + 2);
  for (let s = 0; s < idBound; s++) byDf[table[s * 2 + 1]! + 1]!++;
  for (let f = 0; f <= n; f++) byDf[f + 1]! += byDf[f]!;
  const rank = new Int32Array(idBound);
  for (let s = 0; s < idBound; s++) rank[s] = byDf[table[s * 2 + 1]!]!++;
  for (let i = 0; i < at; i++) unique[i] = rank[unique[i]!]!;
  return Array.from({ length: n }, (_, d) => unique.subarray(setStart[d]!, setStart[d + 1]!).sort());
}

/** The same rate by comparing every pair — the O(n²) definition, kept as the oracle for tests and the benchmark. */
export function nearDuplicateRateAllPairs(corpus: readonly string[], threshold = NEAR_DUPLICATE_THRESHOLD): number {
  if (corpus.length === 0) return Number.NaN;
  const sets = shingleSets(corpus).map((set) => Int32Array.from(set).sort());
  let count = 0;
  sets.forEach((set, d) => {
    if (sets.some((other, o) => o !== d && jaccardSorted(set, other) >= threshold)) count++;
  });
  return count / sets.length;
}

/** Each document's set of lowercased word 3-shingles, as shingle ids, built from strings (for the oracle). */
export function shingleSets(corpus: readonly string[]): Set<number>[] {
  const ids = new Map<string, number>();
  return corpus.map((doc) => {
    const words = tokenize(doc.toLowerCase());
    const set = new Set<number>();
    for (let i = 0; i + 3 <= words.length; i++) {
      const key = `${words[i]} ${words[i + 1]} ${words[i + 2]}`;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      set.add(id);
    }
    return set;
  });
}

/** Jaccard similarity of two ascending id arrays; 0 when both are empty. */
export function jaccardSorted(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! === b[j]!) {
      shared++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  const union = a.length + b.length - shared;
  return union === 0 ? 0 : shared / union;
}
