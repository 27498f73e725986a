// vendi_ngram = Vendi score (q = 1) of the mean over n ∈ {1,2,3,4} of the cosine kernels of n-gram count
// vectors (Vendi-Score `text_utils.ngram_vendi_score`). O(n³) in the number of documents: the panel and
// computeMetrics apply it to a fixed-size window of the most recent documents. NaN for an empty corpus.
import { ngramCosineKernel } from "./ngramKernel";
import { prepare, type Corpus } from "./preparedCorpus";
import { kernelEigenvalues, vendiFromEigenvalues, type VendiOrder } from "./vendi";

export function vendiNgram(corpus: Corpus, ns: readonly number[] = [1, 2, 3, 4], q: VendiOrder = 1): number {
  const prepared = prepare(corpus);
  return vendiFromEigenvalues(kernelEigenvalues(ngramCosineKernel(prepared, ns), prepared.size), q);
}
