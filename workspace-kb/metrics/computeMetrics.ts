// The whole metric set of METRICS.md over one corpus, keyed exactly by METRICS.md's keys. Linear metrics are
// exact on the whole corpus; the O(n³) kernel metrics use the most recent `kernelWindow` documents and
// ROUGE-L a seeded sample of pairs once the corpus is larger — `metricForms` says which for a given size.
import { compressionRatio } from "./compressionRatio";
import { distinctN } from "./distinctN";
import { DEFAULT_ROUGE_PAIRS, homogenizationRougeL, rougeLIsSampled } from "./homogenizationRougeL";
import { meanPairwiseCosineDistance } from "./meanPairwiseCosineDistance";
import { nearDuplicateRate } from "./nearDuplicateRate";
import { unigramAndNgramKernels } from "./ngramKernel";
import { ngramDiversityScore } from "./ngramDiversityScore";
import { PreparedCorpus } from "./preparedCorpus";
import { selfBleu } from "./selfBleu";
import { selfRepetition } from "./selfRepetition";
import { exactMatchClusters, semanticEntropyDiscrete } from "./semanticEntropy";
import { kernelEigenvalues, vectorEigenvalues, vendiFromEigenvalues, type VendiScores, vendiScoresFromEigenvalues } from "./vendi";

export const METRIC_KEYS = [
  "distinct_1",
  "distinct_2",
  "distinct_3",
  "distinct_4",
  "ngram_diversity_score",
  "compression_ratio",
  "self_repetition",
  "self_bleu_3",
  "self_bleu_4",
  "homogenization_rougel",
  "vendi_q1",
  "vendi_q2",
  "vendi_qinf",
  "vendi_ngram",
  "vendi_embedding",
  "mean_pairwise_cosine_distance",
  "near_duplicate_rate",
  "semantic_entropy_discrete",
] as const;

export type MetricKey = (typeof METRIC_KEYS)[number];
export type MetricValues = Record<MetricKey, number>;

export function isMetricKey(key: string): key is MetricKey {
  return (METRIC_KEYS as readonly string[]).includes(key);
}

export interface ComputeOptions<K extends MetricKey = MetricKey> {
  /** Which metrics to compute (default: all, in METRIC_KEYS order). */
  metrics?: readonly K[];
  /** One embedding per document, for vendi_embedding (NaN without). */
  embeddings?: readonly ArrayLike<number>[];
  /** Answer-cluster id per document for semantic_entropy_discrete (default: identical normalised text). */
  clusters?: readonly (number | string)[];
  /** Kernel metrics (vendi_q*, vendi_ngram) use the last this-many documents. */
  kernelWindow?: number;
  /** ROUGE-L homogenization averages a seeded sample of this many pairs when the corpus has more. */
  rougePairs?: number;
  seed?: number;
}

/** Eigenvalues of a 500×500 kernel take ~0.15 s here, of a 1000×1000 one ~1 s (O(n³)). */
export const DEFAULT_KERNEL_WINDOW = 500;

/** Metrics over a corpus; every value unrounded, NaN where METRICS.md leaves it undefined (e.g. self-BLEU of one document). */
export function computeMetrics<K extends MetricKey = MetricKey>(corpus: readonly string[], options: ComputeOptions<K> = {}): Record<K, number> {
  const keys = (options.metrics ?? METRIC_KEYS) as readonly K[];
  if (options.embeddings && options.embeddings.length !== corpus.length) throw new RangeError(`${options.embeddings.length} embeddings for ${corpus.length} documents`);
  if (options.embeddings?.some((e) => e.length !== options.embeddings![0]!.length)) throw new RangeError("embeddings of different dimensions");
  if (options.clusters && options.clusters.length !== corpus.length) throw new RangeError(`${options.clusters.length} cluster ids for ${corpus.length} documents`);
  const prepared = new PreparedCorpus(corpus);
  const kernelWindow = options.kernelWindow ?? DEFAULT_KERNEL_WINDOW;
  let kernelVendi: { unigram: VendiScores; ngram: number } | undefined;
  const kernels = () => {
    if (!kernelVendi) {
      // Taken late, so it reads views of the corpus' n-grams when other metrics have indexed it already.
      const windowed = prepared.lastDocuments(kernelWindow);
      const { unigram, ngram } = unigramAndNgramKernels(windowed);
      kernelVendi = {
        unigram: vendiScoresFromEigenvalues(kernelEigenvalues(unigram, windowed.size)),
        ngram: vendiFromEigenvalues(kernelEigenvalues(ngram, windowed.size), 1),
      };
    }
    return kernelVendi;
  };
  const compute: Record<MetricKey, () => number> = {
    distinct_1: () => distinctN(prepared, 1),
    distinct_2: () => distinctN(prepared, 2),
    distinct_3: () => distinctN(prepared, 3),
    distinct_4: () => distinctN(prepared, 4),
    ngram_diversity_score: () => ngramDiversityScore(prepared),
    compression_ratio: () => compressionRatio(prepared),
    self_repetition: () => selfRepetition(prepared),
    self_bleu_3: () => selfBleu(prepared, 3),
    self_bleu_4: () => selfBleu(prepared, 4),
    homogenization_rougel: () => homogenizationRougeL(prepared, { maxPairs: options.rougePairs, seed: options.seed }),
    vendi_q1: () => kernels().unigram.q1,
    vendi_q2: () => kernels().unigram.q2,
    vendi_qinf: () => kernels().unigram.qinf,
    vendi_ngram: () => kernels().ngram,
    vendi_embedding: () => (options.embeddings ? vendiFromEigenvalues(vectorEigenvalues(options.embeddings), 1) : Number.NaN),
    mean_pairwise_cosine_distance: () => meanPairwiseCosineDistance(prepared),
    near_duplicate_rate: () => nearDuplicateRate(prepared),
    semantic_entropy_discrete: () => semanticEntropyDiscrete(options.clusters ?? exactMatchClusters(prepared)),
  };
  const values = {} as Record<K, number>;
  for (const key of keys) values[key] = compute[key]();
  return values;
}

/** How each metric is computed for a corpus of n documents with these options, in words for tables and help. */
export function metricForms(n: number, options: Omit<ComputeOptions, "metrics"> = {}): Record<MetricKey, string> {
  const kernelWindow = options.kernelWindow ?? DEFAULT_KERNEL_WINDOW;
  const kernel = n > kernelWindow ? `exact, last ${kernelWindow} docs` : "exact";
  const rougePairs = options.rougePairs ?? DEFAULT_ROUGE_PAIRS;
  const forms = Object.fromEntries(METRIC_KEYS.map((k) => [k, "exact"])) as Record<MetricKey, string>;
  forms.self_bleu_3 = forms.self_bleu_4 = "exact (linear form)";
  forms.homogenization_rougel = rougeLIsSampled(n, rougePairs) ? `sample of ${rougePairs} pairs` : "exact";
  forms.vendi_q1 = forms.vendi_q2 = forms.vendi_qinf = `${kernel}, unigram cosine kernel`;
  forms.vendi_ngram = kernel;
  forms.vendi_embedding = options.embeddings ? "exact (d×d dual)" : "needs embeddings";
  forms.mean_pairwise_cosine_distance = "exact, unigram counts";
  forms.near_duplicate_rate = "exact (prefix-filtered)";
  forms.semantic_entropy_discrete = options.clusters ? "given clusters" : "clusters = identical texts";
  return forms;
}
