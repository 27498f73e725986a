// The n-gram cosine kernel of Vendi-Score `text_utils`: K = mean over n ∈ ns of the cosine similarities of
// the documents' n-gram count vectors. A document with no n-gram of order n (empty, or shorter than n) counts
// for that order as holding one shared "no n-gram" feature: such documents are alike and unlike the others,
// which keeps K_ii = 1 as Vendi needs (the reference leaves a zero row there, and its q-orders then disagree).
// Built through postings, so its cost is Σ over n-grams of (document frequency)², not n² dot products.
import { prepare, type Corpus } from "./preparedCorpus";

/** The kernel as a flat row-major m×m Float64Array (m = number of documents). */
export function ngramCosineKernel(corpus: Corpus, ns: readonly number[] = [1, 2, 3, 4]): Float64Array {
  const prepared = prepare(corpus);
  const m = prepared.size;
  const kernel = new Float64Array(m * m);
  for (const n of ns) {
    const { ids, starts, ends, idBound: distinct } = prepared.order(n);
    // Postings as linked lists in flat arrays: one entry per (document, distinct n-gram of it).
    const head = new Int32Array(distinct).fill(-1);
    const next: number[] = [];
    const entryDoc: number[] = [];
    const entryWeight: number[] = [];
    const count = new Int32Array(distinct);
    for (let d = 0; d < m; d++) {
      const start = starts[d]!;
      const end = ends[d]!;
      for (let i = start; i < end; i++) count[ids[i]!]!++;
      let norm = 0;
      for (let i = start; i < end; i++) {
        const c = count[ids[i]!]!;
        if (c > 0) norm += c * c;
        if (c > 0) count[ids[i]!] = -c; // mark as counted, keep the value
      }
      norm = Math.sqrt(norm);
      for (let i = start; i < end; i++) {
        const g = ids[i]!;
        const c = -count[g]!;
        if (c <= 0) continue;
        count[g] = 0;
        entryDoc.push(d);
        entryWeight.push(c / norm);
        next.push(head[g]!);
        head[g] = next.length - 1;
      }
    }
    const scale = 1 / ns.length;
    const withoutNgrams: number[] = [];
    for (let d = 0; d < m; d++) if (ends[d] === starts[d]) withoutNgrams.push(d);
    for (const a of withoutNgrams) for (const b of withoutNgrams) if (a <= b) kernel[a * m + b]! += scale;
    for (let g = 0; g < distinct; g++) {
      for (let a = head[g]!; a >= 0; a = next[a]!) {
        const da = entryDoc[a]!;
        const wa = entryWeight[a]! * scale;
        for (let b = a; b >= 0; b = next[b]!) {
          // Entries are pushed in document order, so later entries in the list have smaller documents.
          const db = entryDoc[b]!;
          kernel[db * m + da]! += wa * entryWeight[b]!;
        }
      }
    }
  }
  // Mirror the upper triangle so the matrix is whole for anyone reading rows.
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) kernel[j * m + i] = kernel[i * m + j]!;
  return kernel;
}

/**
 * The unigram kernel (vendi_q*) and the 1–4-gram kernel (vendi_ngram) together: the second is
 * (K₁ + 3·K₂₃₄)/4, so the unigram postings — the densest — are walked once for both.
 */
export function unigramAndNgramKernels(corpus: Corpus): { unigram: Float64Array; ngram: Float64Array } {
  const unigram = ngramCosineKernel(corpus, [1]);
  const ngram = ngramCosineKernel(corpus, [2, 3, 4]);
  for (let i = 0; i < ngram.length; i++) ngram[i] = (unigram[i]! + 3 * ngram[i]!) / 4;
  return { unigram, ngram };
}
