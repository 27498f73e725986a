// Golden vectors from METRICS.md (taken there from the reference implementations), to 1e-6.
import assert from "node:assert/strict";
import { compressionRatio } from "../../workspace-kb/metrics/compressionRatio";
import { computeMetrics } from "../../workspace-kb/metrics/computeMetrics";
import { distinctN } from "../../workspace-kb/metrics/distinctN";
import { homogenizationRougeL } from "../../workspace-kb/metrics/homogenizationRougeL";
import { meanPairwiseCosineDistance } from "../../workspace-kb/metrics/meanPairwiseCosineDistance";
import { jaccardSorted, shingleSets } from "../../workspace-kb/metrics/nearDuplicateRate";
import { ngramCosineKernel } from "../../workspace-kb/metrics/ngramKernel";
import { ngramDiversityScore } from "../../workspace-kb/metrics/ngramDiversityScore";
import { selfBleu, selfBleuPerDocument } from "../../workspace-kb/metrics/selfBleu";
import { selfBleuNaive } from "../../workspace-kb/metrics/selfBleuNaive";
import { selfRepetition } from "../../workspace-kb/metrics/selfRepetition";
import { semanticEntropyDiscrete } from "../../workspace-kb/metrics/semanticEntropy";
import { kernelEigenvalues, vendiFromEigenvalues, vendiScore } from "../../workspace-kb/metrics/vendi";
import { vendiNgram } from "../../workspace-kb/metrics/vendiNgram";

const A = ["the cat sat on the mat", "the cat sat on the hat", "a dog ran in the park", "the cat sat on the mat"];
const B = ["one two three four", "five six seven eight"];

function close(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= 1e-6, `${what}: got ${actual}, expected ${expected}`);
}

function unigramVendi(corpus: string[], q: number | "inf") {
  return vendiFromEigenvalues(kernelEigenvalues(ngramCosineKernel(corpus, [1]), corpus.length), q);
}

describe("metric golden vectors (METRICS.md)", () => {
  it("distinct-1 and distinct-2 count unique n-grams inside documents", () => {
    close(distinctN(A, 1), 11 / 24, "A distinct_1");
    close(distinctN(A, 2), 11 / 20, "A distinct_2");
    close(distinctN(B, 1), 1, "B distinct_1");
    close(distinctN(B, 2), 1, "B distinct_2");
  });

  it("ngram diversity score counts n-grams across the joined corpus", () => {
    close(ngramDiversityScore(A), 2.510752, "A");
    close(ngramDiversityScore(B), 4, "B");
  });

  it("compression ratio matches CPython's gzip level 9 sizes (90/66 and 39/56)", () => {
    close(compressionRatio(A), 90 / 66, "A");
    close(compressionRatio(B), 39 / 56, "B");
  });

  it("self-repetition sums shared 4-gram document frequencies per document", () => {
    close(selfRepetition(A), 1.298239, "A");
    close(selfRepetition(B), 0, "B");
  });

  it("self-BLEU-3 matches NLTK per document and on average, in both the linear and the O(n²) form", () => {
    const perDoc = selfBleuPerDocument(A, 3);
    [1, 0.793701, 0.043679, 1].forEach((expected, i) => close(perDoc[i]!, expected, `A doc ${i}`));
    close(selfBleu(A, 3), 0.709345, "A self_bleu_3");
    close(selfBleuNaive(A, 3), 0.709345, "A naive self_bleu_3");
    close(selfBleu(B, 3), 0, "B self_bleu_3");
  });

  it("self-BLEU-4 matches NLTK", () => {
    close(selfBleu(A, 4), 0.700165, "A");
    close(selfBleuNaive(A, 4), 0.700165, "A naive");
    close(selfBleu(B, 4), 0, "B");
  });

  it("ROUGE-L homogenization is 19/36 on A and 0 (not the reference's 1.0) when no pair overlaps", () => {
    close(homogenizationRougeL(A), 19 / 36, "A");
    close(homogenizationRougeL(B), 0, "B");
  });

  it("Vendi on the unigram linear kernel gives q1/q2/q∞ of the reference", () => {
    close(unigramVendi(A, 1), 1.98628, "A q1");
    close(unigramVendi(A, 2), 1.673203, "A q2");
    close(unigramVendi(A, "inf"), 1.35044, "A qinf");
    for (const q of [1, 2, "inf"] as const) close(unigramVendi(B, q), 2, `B q${q}`);
  });

  it("n-gram Vendi with ns = {1,2} matches the reference", () => {
    close(vendiNgram(A, [1, 2]), 2.109328, "A");
  });

  it("Vendi of the documented 3×3 kernel is 2.157300", () => {
    close(vendiScore([[1, 0.9, 0], [0.9, 1, 0], [0, 0, 1]]), 2.1573, "kernel check");
  });

  it("mean pairwise cosine distance on unigram counts matches the reference", () => {
    close(meanPairwiseCosineDistance(A), 0.397329, "A");
    close(meanPairwiseCosineDistance(B), 1, "B");
  });

  it("discrete semantic entropy of clusters [0,1,2,1] is 1.039721", () => {
    close(semanticEntropyDiscrete([0, 1, 2, 1]), 1.039721, "entropy");
  });

  it("word 3-shingle Jaccard of A[0] and A[1] is 3/5", () => {
    const [a, b] = shingleSets(A.slice(0, 2)).map((s) => Int32Array.from(s).sort());
    close(jaccardSorted(a!, b!), 3 / 5, "jaccard");
  });

  it("computeMetrics returns exactly the METRICS.md keys with the golden values", () => {
    const values = computeMetrics(A);
    assert.deepEqual(Object.keys(values), [
      "distinct_1", "distinct_2", "distinct_3", "distinct_4", "ngram_diversity_score", "compression_ratio",
      "self_repetition", "self_bleu_3", "self_bleu_4", "homogenization_rougel", "vendi_q1", "vendi_q2",
      "vendi_qinf", "vendi_ngram", "vendi_embedding", "mean_pairwise_cosine_distance", "near_duplicate_rate",
      "semantic_entropy_discrete",
    ]);
    close(values.self_bleu_4, 0.700165, "self_bleu_4");
    close(values.vendi_q1, 1.98628, "vendi_q1");
    close(values.compression_ratio, 90 / 66, "compression_ratio");
    assert.ok(Number.isNaN(values.vendi_embedding), "vendi_embedding is undefined without embeddings");
  });

  it("computeMetrics takes embeddings and cluster ids per document, and refuses counts that do not match", () => {
    const orthogonal = A.map((_, i) => A.map((__, j) => (i === j ? 2 : 0)));
    const values = computeMetrics(A, { metrics: ["vendi_embedding", "semantic_entropy_discrete"], embeddings: orthogonal, clusters: [0, 1, 2, 1] });
    close(values.vendi_embedding, 4, "four orthogonal embeddings");
    close(values.semantic_entropy_discrete, 1.039721, "given clusters");
    assert.throws(() => computeMetrics(A, { embeddings: orthogonal.slice(1) }), /3 embeddings for 4 documents/);
    assert.throws(() => computeMetrics(A, { clusters: [0] }), /1 cluster ids for 4 documents/);
  });
});
