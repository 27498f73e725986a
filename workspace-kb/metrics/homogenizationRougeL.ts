// homogenization_rougel = mean over documents i of the mean over j≠i of ROUGE-L F1(x_j, x_i), rouge_score
// tokenization (lowercase, [^a-z0-9]+ → space, split); all-zero pairs give 0, not the reference's 1.0
// (Shaib et al. 2024 `homogenization.py`; google-research `rouge_score`). F1 is symmetric and every i has
// n−1 partners, so this is the mean over unordered pairs — which a seeded uniform sample of pairs estimates
// when the corpus has more pairs than `maxPairs` (the panel's form). NaN for fewer than two documents.
import { prepare, type Corpus, type PreparedCorpus } from "./preparedCorpus";
import { seededRandom } from "../random";

export interface RougeLOptions {
  /** Above this many pairs, average a uniform sample of this many pairs instead of all of them. */
  maxPairs?: number;
  seed?: number;
}

export const DEFAULT_ROUGE_PAIRS = 20_000;

export function homogenizationRougeL(corpus: Corpus, options: RougeLOptions = {}): number {
  const prepared = prepare(corpus);
  const n = prepared.size;
  if (n < 2) return Number.NaN;
  const docs = rougeDocuments(prepared);
  const maxPairs = options.maxPairs ?? DEFAULT_ROUGE_PAIRS;
  const pairCount = (n * (n - 1)) / 2;
  let sum = 0;
  if (pairCount <= maxPairs) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sum += rougeLF1(docs(i), docs(j));
    return sum / pairCount;
  }
  const random = seededRandom(options.seed ?? 1);
  for (let s = 0; s < maxPairs; s++) {
    const i = random.below(n);
    let j = random.below(n - 1);
    if (j >= i) j++;
    sum += rougeLF1(docs(i), docs(j));
  }
  return sum / maxPairs;
}

/** Whether `homogenizationRougeL` averages a sample of pairs for a corpus of n documents. */
export function rougeLIsSampled(n: number, maxPairs = DEFAULT_ROUGE_PAIRS): boolean {
  return (n * (n - 1)) / 2 > maxPairs;
}

/** ROUGE-L F1 of two token-id sequences: LCS-based precision and recall, 0 when either is empty. */
export function rougeLF1(a: Int32Array, b: Int32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  const lcs = lcsLength(a, b);
  if (lcs === 0) return 0;
  const precision = lcs / a.length;
  const recall = lcs / b.length;
  return (2 * precision * recall) / (precision + recall);
}

function lcsLength(a: Int32Array, b: Int32Array): number {
  const row = new Int32Array(b.length + 1);
  for (let i = 0; i < a.length; i++) {
    let diagonal = 0; // row[j] of the previous i
    const ai = a[i]!;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = ai === b[j - 1]! ? diagonal + 1 : Math.max(above, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** ROUGE token ids of document d, assembled on first use: only sampled documents are ever built. */
function rougeDocuments(prepared: PreparedCorpus): (d: number) => Int32Array {
  const cache = new Map<number, Int32Array>();
  return (d) => {
    let doc = cache.get(d);
    if (doc === undefined) cache.set(d, (doc = prepared.rougeTokenIds(d)));
    return doc;
  };
}
