// The panel's metrics over a fixed-size sliding window of the most recent documents (METRICS.md "Scaling":
// compare only windows of equal size). A round of new documents slides the window and updates every metric:
// documents are tokenized once on entry, the ROUGE-L pair sample is refreshed only where the window changed,
// and Vendi on embeddings keeps the d×d dual C = Σ x̂x̂ᵀ up to date by rank-one additions and removals.
import { z } from "zod";
import { compressionRatio } from "./compressionRatio";
import { distinctN } from "./distinctN";
import { rougeLF1 } from "./homogenizationRougeL";
import { meanPairwiseCosineDistance } from "./meanPairwiseCosineDistance";
import { nearDuplicateRate } from "./nearDuplicateRate";
import { unigramAndNgramKernels } from "./ngramKernel";
import { ngramDiversityScore } from "./ngramDiversityScore";
import { PreparedCorpus } from "./preparedCorpus";
import { seededRandom, type Random } from "../random";
import { selfBleu } from "./selfBleu";
import { selfRepetition } from "./selfRepetition";
import { exactMatchClusters, semanticEntropyDiscrete } from "./semanticEntropy";
import { symmetricEigenvalues } from "./symmetricEigenvalues";
import { kernelEigenvalues, normalised, vendiFromEigenvalues, vendiScoresFromEigenvalues } from "./vendi";
import { Vocabulary } from "./vocabulary";
import { METRIC_KEYS, type MetricKey } from "./computeMetrics";

export const metricsWindowConfigSchema = z.object({
  /**
   * Documents in the window; every lexical and homogenization metric is over exactly these. 500 keeps a round's
   * update under 100 ms (75 ms median in bench:metrics); gzip at level 9 (pako) is a third of it, and grows
   * linearly with the window.
   */
  size: z.number().int().min(2).default(500),
  /** The O(n³) kernel metrics (vendi_q*, vendi_ngram) use the most recent this-many documents of the window. */
  kernelSize: z.number().int().min(2).default(200),
  /** Size of the uniform sample of document pairs behind homogenization_rougel. */
  rougePairs: z.number().int().min(1).default(1000),
  seed: z.number().int().default(1),
});
export type MetricsWindowConfig = z.output<typeof metricsWindowConfigSchema>;

/** What the panel shows: every METRICS.md key (vendi_embedding is NaN unless every document came with an embedding). */
export type PanelMetrics = Record<MetricKey, number>;

/** Which documents each panel metric covers, in words for the panel to show next to the number. */
export function windowForms(config: MetricsWindowConfig): Record<MetricKey, string> {
  const all = `last ${config.size} docs`;
  const kernel = `last ${config.kernelSize} docs`;
  const forms = Object.fromEntries(METRIC_KEYS.map((k) => [k, all])) as Record<MetricKey, string>;
  forms.vendi_q1 = forms.vendi_q2 = forms.vendi_qinf = `${kernel}, unigram cosine kernel`;
  forms.vendi_ngram = `${kernel}, 1–4-gram cosine kernel`;
  forms.vendi_embedding = `${all}, embeddings (d×d dual)`;
  forms.homogenization_rougel = `${config.rougePairs} sampled pairs of the ${all}`;
  forms.semantic_entropy_discrete = `${all}, clusters = identical texts`;
  return forms;
}

interface WindowDocument {
  serial: number;
  text: string;
  ids: Int32Array;
  embedding?: Float64Array;
}

interface RougeSlot {
  a: number;
  b: number;
  score: number;
}

export class MetricsWindow {
  readonly config: MetricsWindowConfig;
  private readonly vocabulary = new Vocabulary();
  private documents: WindowDocument[] = [];
  private seen = 0;
  private readonly random: Random;
  private rougeSlots: RougeSlot[] = [];
  private readonly rougeCache = new Map<number, Int32Array>();
  private dual?: Float64Array;
  private dimension = 0;

  constructor(config: z.input<typeof metricsWindowConfigSchema> = {}) {
    this.config = metricsWindowConfigSchema.parse(config);
    this.random = seededRandom(this.config.seed);
  }

  /** Documents seen since the window was created. */
  get documentCount(): number {
    return this.seen;
  }

  /** Whether the window holds config.size documents — only full windows are comparable with each other. */
  get isFull(): boolean {
    return this.documents.length === this.config.size;
  }

  /** Documents currently in the window (≤ config.size). */
  get windowDocuments(): readonly string[] {
    return this.documents.map((d) => d.text);
  }

  /** Slide the window over a round of new documents (and, optionally, their embeddings) and return the panel's metrics. */
  add(docs: readonly string[], embeddings?: readonly ArrayLike<number>[]): PanelMetrics {
    if (embeddings && embeddings.length !== docs.length) throw new RangeError("one embedding per document is needed");
    const firstNew = this.seen;
    // Documents that would leave in this same round are never tokenized (a cold start over a whole knowledge base).
    const skip = Math.max(0, docs.length - this.config.size);
    this.seen += skip;
    docs.forEach((text, i) => {
      if (i < skip) return;
      const doc: WindowDocument = { serial: this.seen++, text, ids: this.vocabulary.encode(text) };
      if (embeddings) doc.embedding = normalised(embeddings[i]!);
      this.documents.push(doc);
      this.updateDual(doc.embedding, +1);
    });
    const evicted = this.documents.splice(0, Math.max(0, this.documents.length - this.config.size));
    for (const doc of evicted) {
      this.updateDual(doc.embedding, -1);
      this.rougeCache.delete(doc.serial);
    }
    this.refreshRougeSample(firstNew);
    return this.metrics();
  }

  private metrics(): PanelMetrics {
    const docs = this.documents;
    const prepared = new PreparedCorpus(docs.map((d) => d.text), this.vocabulary, docs.map((d) => d.ids));
    const kernelCorpus = prepared.lastDocuments(this.config.kernelSize);
    const kernels = unigramAndNgramKernels(kernelCorpus);
    const unigram = vendiScoresFromEigenvalues(kernelEigenvalues(kernels.unigram, kernelCorpus.size));
    return {
      distinct_1: distinctN(prepared, 1),
      distinct_2: distinctN(prepared, 2),
      distinct_3: distinctN(prepared, 3),
      distinct_4: distinctN(prepared, 4),
      ngram_diversity_score: ngramDiversityScore(prepared),
      compression_ratio: compressionRatio(prepared),
      self_repetition: selfRepetition(prepared),
      self_bleu_3: selfBleu(prepared, 3),
      self_bleu_4: selfBleu(prepared, 4),
      homogenization_rougel: this.rougeSlots.length === 0 ? Number.NaN : this.rougeSlots.reduce((s, p) => s + p.score, 0) / this.rougeSlots.length,
      vendi_q1: unigram.q1,
      vendi_q2: unigram.q2,
      vendi_qinf: unigram.qinf,
      vendi_ngram: vendiFromEigenvalues(kernelEigenvalues(kernels.ngram, kernelCorpus.size), 1),
      vendi_embedding: this.embeddingVendi(),
      mean_pairwise_cosine_distance: meanPairwiseCosineDistance(prepared),
      near_duplicate_rate: nearDuplicateRate(prepared),
      semantic_entropy_discrete: semanticEntropyDiscrete(exactMatchClusters(prepared)),
    };
  }

  /**
   * Keep `rougePairs` slots, each a uniform draw from the window's pairs. A round splits the current pairs into
   * S (both documents were already here) and N (at least one is new): each slot moves to a fresh pair of N with
   * probability |N|/|S ∪ N|, and a slot whose pair lost a document is redrawn from S. A kept slot is uniform over
   * S, so every slot stays uniform over S ∪ N, and only about (|N|/|S ∪ N|)·rougePairs LCS tables are computed.
   */
  private refreshRougeSample(firstNew: number): void {
    const docs = this.documents;
    const total = docs.length;
    if (total < 2) return;
    const firstSerial = docs[0]!.serial;
    const newCount = docs.filter((d) => d.serial >= firstNew).length;
    const oldCount = total - newCount;
    const pairsS = (oldCount * (oldCount - 1)) / 2;
    const pairsAll = (total * (total - 1)) / 2;
    const pNew = 1 - pairsS / pairsAll;
    const drawFromN = (): [number, number] => {
      for (;;) {
        const i = oldCount + this.random.below(newCount);
        let j = this.random.below(total - 1);
        if (j >= i) j++;
        // A new–new pair can be drawn from either end; halve its chance so all pairs of N are equally likely.
        if (j < oldCount || this.random.next() < 0.5) return [i, j];
      }
    };
    const drawFromS = (): [number, number] => {
      const i = this.random.below(oldCount);
      let j = this.random.below(oldCount - 1);
      if (j >= i) j++;
      return [i, j];
    };
    const slots = this.rougeSlots.length === this.config.rougePairs ? this.rougeSlots : Array.from({ length: this.config.rougePairs }, () => undefined);
    this.rougeSlots = slots.map((slot) => {
      const stale = slot === undefined || slot.a < firstSerial || slot.b < firstSerial;
      if (this.random.next() < pNew) return this.scorePair(drawFromN());
      if (stale) return this.scorePair(drawFromS());
      return slot;
    });
  }

  private scorePair([i, j]: [number, number]): RougeSlot {
    const a = this.documents[i]!;
    const b = this.documents[j]!;
    return { a: a.serial, b: b.serial, score: rougeLF1(this.rougeTokens(a), this.rougeTokens(b)) };
  }

  private rougeTokens(doc: WindowDocument): Int32Array {
    let tokens = this.rougeCache.get(doc.serial);
    if (tokens === undefined) {
      tokens = Int32Array.from([...doc.ids].flatMap((id) => this.vocabulary.rougePieces(id)));
      this.rougeCache.set(doc.serial, tokens);
    }
    return tokens;
  }

  private updateDual(x: Float64Array | undefined, sign: 1 | -1): void {
    if (!x) return;
    if (!this.dual) {
      this.dimension = x.length;
      this.dual = new Float64Array(x.length * x.length);
    }
    if (x.length !== this.dimension) throw new RangeError(`embedding has ${x.length} dimensions, the window holds ${this.dimension}`);
    const d = this.dimension;
    for (let i = 0; i < d; i++) {
      const xi = sign * x[i]!;
      if (xi === 0) continue;
      for (let j = i; j < d; j++) this.dual[i * d + j]! += xi * x[j]!;
    }
  }

  private embeddingVendi(): number {
    if (!this.dual || this.documents.some((doc) => !doc.embedding)) return Number.NaN;
    const n = this.documents.length;
    const scaled = this.dual.map((v) => v / n);
    return vendiFromEigenvalues(symmetricEigenvalues(scaled, this.dimension), 1);
  }
}
