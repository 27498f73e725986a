// near_duplicate_rate = fraction of documents whose maximum Jaccard similarity (sets of lowercased word
// 3-shingles) to any other document is ≥ 0.8 (Broder 1997). Exact at scale by prefix filtering (Bayardo et
// al. 2007, "All-pairs"): with shingles ordered rarest first, two sets with Jaccard ≥ t share a shingle within
// their first |A| − ⌈t|A|⌉ + 1, so only those postings are probed, and a document stops at its first partner.
// A document with fewer than 3 words has no shingles and is never a near-duplicate. NaN for an empty corpus.
import { tokenize } from "./tokens";

export const NEAR_DUPLICATE_THRESHOLD = 0.8;

export function nearDuplicateRate(corpus: readonly string[], threshold = NEAR_DUPLICATE_THRESHOLD): number {
  if (corpus.length === 0) return Number.NaN;
  const sets = shingleSets(corpus);
  const n = sets.length;
  // Rename shingles by ascending document frequency so "rarest first" is plain numeric order.
  const df = new Int32Array(countShingles(sets));
  for (const set of sets) for (const s of set) df[s]!++;
  const byRarity = Int32Array.from(df.keys()).sort((a, b) => df[a]! - df[b]! || a - b);
  const rank = new Int32Array(df.length);
  byRarity.forEach((shingle, r) => (rank[shingle] = r));
  const ranked = sets.map((set) => Int32Array.from(set, (s) => rank[s]!).sort());

  const prefixLength = (size: number) => size - Math.ceil(threshold * size - 1e-9) + 1;
  const postings: number[][] = Array.from({ length: df.length }, () => []);
  ranked.forEach((set, d) => {
    for (let i = 0; i < Math.min(set.length, prefixLength(set.length)); i++) postings[set[i]!]!.push(d);
  });

  const isDuplicate = new Uint8Array(n);
  const lastProbe = new Int32Array(n).fill(-1);
  for (let d = 0; d < n; d++) {
    if (isDuplicate[d]) continue;
    const set = ranked[d]!;
    const size = set.length;
    search: for (let i = 0; i < Math.min(size, prefixLength(size)); i++) {
      for (const other of postings[set[i]!]!) {
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

/** Each document's set of lowercased word 3-shingles, as shingle ids. */
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

function countShingles(sets: Set<number>[]): number {
  let max = -1;
  for (const set of sets) for (const s of set) if (s > max) max = s;
  return max + 1;
}
