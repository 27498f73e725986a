// Properties the metrics must have whatever the corpus: invariances, extremes, and agreement with slow oracles.
import assert from "node:assert/strict";
import { EVD, Matrix } from "ml-matrix";
import { distinctN } from "../../workspace-kb/metrics/distinctN";
import { DEFAULT_ROUGE_PAIRS, homogenizationRougeL } from "../../workspace-kb/metrics/homogenizationRougeL";
import { meanPairwiseCosineDistance, meanPairwiseCosineDistanceOfVectors } from "../../workspace-kb/metrics/meanPairwiseCosineDistance";
import { nearDuplicateRate, nearDuplicateRateAllPairs } from "../../workspace-kb/metrics/nearDuplicateRate";
import { internPairs } from "../../workspace-kb/metrics/internPairs";
import { tokenize } from "../../workspace-kb/metrics/tokens";
import { Vocabulary } from "../../workspace-kb/metrics/vocabulary";
import { exactMatchClusters, semanticEntropyDiscrete } from "../../workspace-kb/metrics/semanticEntropy";
import { ngramCosineKernel, unigramAndNgramKernels } from "../../workspace-kb/metrics/ngramKernel";
import { PreparedCorpus } from "../../workspace-kb/metrics/preparedCorpus";
import { seededRandom } from "../../workspace-kb/random";
import { selfBleu, selfBleuPerDocument } from "../../workspace-kb/metrics/selfBleu";
import { selfBleuNaivePerDocument } from "../../workspace-kb/metrics/selfBleuNaive";
import { symmetricEigenvalues } from "../../workspace-kb/metrics/symmetricEigenvalues";
import { kernelEigenvalues, vendiFromEigenvalues, vendiOfVectors, vendiScore } from "../../workspace-kb/metrics/vendi";
import { vendiNgram } from "../../workspace-kb/metrics/vendiNgram";
import { zipfCorpus } from "./syntheticCorpus";

/** A small corpus with repeats, near-repeats, short and empty documents, so edge paths get exercised. */
function awkwardCorpus(seed: number, docs: number): string[] {
  const random = seededRandom(seed);
  const base = zipfCorpus({ docs, seed, meanLength: 25, vocabulary: 60 });
  return base.map((doc, i) => {
    const roll = random.next();
    if (roll < 0.1) return "";
    if (roll < 0.2) return doc.split(" ").slice(0, random.below(4)).join(" ");
    if (roll < 0.35 && i > 0) return base[random.below(i)]!;
    return doc;
  });
}

describe("metric properties", () => {
  it("the linear self-BLEU agrees with the NLTK-style O(n²) form to 1e-9 on awkward corpora", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const corpus = awkwardCorpus(seed, 40);
      for (const g of [3, 4]) {
        const fast = selfBleuPerDocument(corpus, g);
        const slow = selfBleuNaivePerDocument(corpus, g);
        slow.forEach((s, d) => assert.ok(Math.abs(s - fast[d]!) <= 1e-9, `seed ${seed} g ${g} doc ${d}: ${fast[d]} vs ${s}`));
      }
    }
  });

  it("duplicating a corpus leaves distinct-n unchanged or lower and raises self-BLEU", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const corpus = zipfCorpus({ docs: 30, seed, meanLength: 30, vocabulary: 2000 });
      const doubled = [...corpus, ...corpus];
      for (let n = 1; n <= 4; n++) assert.ok(distinctN(doubled, n) <= distinctN(corpus, n));
      for (const g of [3, 4]) assert.ok(selfBleu(doubled, g) > selfBleu(corpus, g));
    }
  });

  it("Vendi of n identical documents is 1 and of n documents with disjoint words is n, for every order", () => {
    const identical = Array.from({ length: 7 }, () => "the same answer every time");
    const disjoint = Array.from({ length: 7 }, (_, i) => `w${i}a w${i}b w${i}c w${i}d w${i}e`);
    for (const q of [1, 2, "inf"] as const) {
      const ones = kernelEigenvalues(ngramCosineKernel(identical, [1]), 7);
      assert.ok(Math.abs(vendiFromEigenvalues(ones, q) - 1) < 1e-9);
      const all = kernelEigenvalues(ngramCosineKernel(disjoint, [1]), 7);
      assert.ok(Math.abs(vendiFromEigenvalues(all, q) - 7) < 1e-9);
    }
    assert.ok(Math.abs(vendiNgram(identical) - 1) < 1e-9);
    assert.ok(Math.abs(vendiNgram(disjoint) - 7) < 1e-9);
  });

  it("documents without n-grams of an order are alike for that order, so the kernel keeps K_ii = 1", () => {
    const kernel = ngramCosineKernel(["one two three four", "", "", "a b"]);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(kernel[i * 4 + i]! - 1) < 1e-12, `K_${i}${i} = ${kernel[i * 4 + i]}`);
    assert.equal(kernel[1 * 4 + 2], 1, "two empty documents are the same item");
    assert.equal(kernel[0 * 4 + 1], 0, "an empty document is unlike a written one");
    assert.equal(kernel[3 * 4 + 1], 0.5, "'a b' has no 3- or 4-grams, like the empty documents");
    assert.ok(Math.abs(vendiScore([[1, 0, 0], [0, 1, 1], [0, 1, 1]]) - vendiNgram(["w x y z", "", ""])) < 1e-12);
  });

  it("Vendi never grows with its order q (q1 ≥ q2 ≥ q∞), short and empty documents included", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const corpus = awkwardCorpus(seed, 30);
      for (const ns of [[1], [1, 2, 3, 4]]) {
        const lambda = kernelEigenvalues(ngramCosineKernel(corpus, ns), corpus.length);
        const [q1, q2, qinf] = [vendiFromEigenvalues(lambda, 1), vendiFromEigenvalues(lambda, 2), vendiFromEigenvalues(lambda, "inf")];
        assert.ok(q1 >= q2 - 1e-9 && q2 >= qinf - 1e-9, `seed ${seed} ns ${ns}: ${q1} ${q2} ${qinf}`);
      }
    }
  });

  it("Vendi of embeddings through the d×d dual equals Vendi of the n×n kernel", () => {
    const random = seededRandom(3);
    for (const [n, d] of [[40, 8], [6, 30]] as const) {
      const rows = Array.from({ length: n }, () => Array.from({ length: d }, () => random.next() - 0.5));
      const unit = rows.map((r) => r.map((x) => x / Math.hypot(...r)));
      const kernel = unit.map((a) => unit.map((b) => a.reduce((s, x, i) => s + x * b[i]!, 0)));
      for (const q of [1, 2, "inf"] as const) {
        const viaKernel = vendiFromEigenvalues(kernelEigenvalues(kernel), q);
        assert.ok(Math.abs(vendiOfVectors(rows, q) - viaKernel) < 1e-9, `n=${n} d=${d} q=${q}`);
      }
    }
  });

  it("the eigenvalue routine agrees with ml-matrix's EVD on random symmetric matrices", () => {
    const random = seededRandom(9);
    for (const n of [1, 2, 5, 33]) {
      const m = Matrix.from1DArray(n, n, Array.from({ length: n * n }, () => random.next() - 0.5));
      const sym = m.add(m.transpose());
      const expected = new EVD(sym, { assumeSymmetric: true }).realEigenvalues.slice().sort((a, b) => a - b);
      const actual = symmetricEigenvalues(Float64Array.from(sym.to1DArray()), n);
      expected.forEach((e, i) => assert.ok(Math.abs(e - actual[i]!) < 1e-9, `n=${n} #${i}: ${actual[i]} vs ${e}`));
    }
  });

  it("a kernel with zero off-diagonal blocks has the Vendi score of its blocks' sum of effective sizes", () => {
    // Two identical pairs that are orthogonal to each other: effectively two distinct documents.
    assert.ok(Math.abs(vendiScore([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]) - 2) < 1e-9);
  });

  it("the O(nd) mean pairwise cosine distance equals the average over all pairs", () => {
    const random = seededRandom(5);
    const rows = Array.from({ length: 25 }, () => Array.from({ length: 6 }, () => random.next()));
    let sum = 0;
    for (let i = 0; i < rows.length; i++) {
      for (let j = 0; j < rows.length; j++) {
        if (i === j) continue;
        const a = rows[i]!;
        const b = rows[j]!;
        sum += a.reduce((s, x, k) => s + x * b[k]!, 0) / (Math.hypot(...a) * Math.hypot(...b));
      }
    }
    assert.ok(Math.abs(meanPairwiseCosineDistanceOfVectors(rows) - (1 - sum / (25 * 24))) < 1e-12);
  });

  it("mean pairwise cosine distance on counts equals 1 − the mean off-diagonal unigram kernel", () => {
    const corpus = awkwardCorpus(4, 30);
    const kernel = ngramCosineKernel(corpus, [1]);
    let off = 0;
    for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) if (i !== j) off += kernel[i * 30 + j]!;
    assert.ok(Math.abs(meanPairwiseCosineDistance(corpus) - (1 - off / (30 * 29))) < 1e-12);
  });

  it("the prefix-filtered near-duplicate rate equals the all-pairs definition", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const random = seededRandom(seed);
      const base = zipfCorpus({ docs: 150, seed, meanLength: 20, vocabulary: 400 });
      // Plant near-duplicates: copies with one or several words replaced, some crossing the 0.8 line.
      const corpus = base.map((doc, i) => {
        if (i === 0 || random.next() < 0.6) return doc;
        const words = base[random.below(i)]!.split(" ");
        const edits = random.below(4);
        for (let e = 0; e < edits; e++) words[random.below(words.length)] = `edit${e}`;
        return words.join(" ");
      });
      const exact = nearDuplicateRateAllPairs(corpus);
      assert.ok(exact > 0, "the planted copies make some near-duplicates");
      assert.equal(nearDuplicateRate(corpus), exact);
    }
  });

  it("the sampled ROUGE-L homogenization stays within 0.01 of the exact mean over all pairs", () => {
    const corpus = zipfCorpus({ docs: 260, seed: 11, meanLength: 30, vocabulary: 300 });
    assert.ok((260 * 259) / 2 > DEFAULT_ROUGE_PAIRS, "the corpus is large enough to be sampled");
    const sampled = homogenizationRougeL(corpus);
    const exact = homogenizationRougeL(corpus, { maxPairs: Number.POSITIVE_INFINITY });
    assert.ok(Math.abs(sampled - exact) < 0.01, `${sampled} vs ${exact}`);
  });

  it("the kernels of the last k documents, read through views of the whole corpus, equal those of a fresh corpus", () => {
    const corpus = awkwardCorpus(6, 60);
    const whole = new PreparedCorpus(corpus);
    whole.order(4); // indexed, so the tail is made of views
    const tail = whole.lastDocuments(25);
    const fresh = corpus.slice(-25);
    const shared = unigramAndNgramKernels(tail);
    const expectedUnigram = ngramCosineKernel(fresh, [1]);
    const expectedNgram = ngramCosineKernel(fresh);
    expectedNgram.forEach((v, i) => assert.ok(Math.abs(v - shared.ngram[i]!) < 1e-12));
    expectedUnigram.forEach((v, i) => assert.ok(Math.abs(v - shared.unigram[i]!) < 1e-12));
    assert.ok(Math.abs(selfBleu(tail, 4) - selfBleu(fresh, 4)) < 1e-12);
  });

  it("radix interning gives equal pairs equal ids and distinct pairs distinct ids", () => {
    const random = seededRandom(12);
    const n = 5000;
    // Wide ranges, so every radix digit pass runs; many repeats, so ids are shared.
    const hi = Int32Array.from({ length: n }, () => (random.next() < 0.5 ? random.below(30) : random.below(2 ** 30)));
    const lo = Int32Array.from({ length: n }, () => (random.next() < 0.5 ? random.below(5) : random.below(2 ** 24)));
    const { ids, distinct } = internPairs(hi, lo);
    const byPair = new Map<string, number>();
    ids.forEach((id, i) => {
      const key = `${hi[i]},${lo[i]}`;
      const seen = byPair.get(key);
      if (seen === undefined) byPair.set(key, id);
      else assert.equal(id, seen);
    });
    assert.equal(distinct, byPair.size);
    assert.equal(new Set(byPair.values()).size, byPair.size);
    assert.ok(Math.max(...ids) === distinct - 1);
  });

  it("the vocabulary's character scan splits exactly as the whitespace tokenizer, Unicode spaces included", () => {
    const random = seededRandom(31);
    const alphabet = ["a", "b", "ab", "A", "é", "日本", "😀", ".", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\ufeff", "\u200b", "\u0085"];
    const vocabulary = new Vocabulary();
    for (let k = 0; k < 3000; k++) {
      const doc = Array.from({ length: random.below(12) }, () => alphabet[random.below(alphabet.length)]!).join("");
      const ids = vocabulary.encode(doc);
      assert.deepEqual(Array.from(ids, (id) => vocabulary.tokens[id]), tokenize(doc), JSON.stringify(doc));
    }
    assert.equal(new Set(vocabulary.tokens).size, vocabulary.tokens.length, "each token has one id");
  });

  it("answer clusters ignore case and spacing but nothing else", () => {
    const clusters = exactMatchClusters(["The answer is 4", "the  answer is 4 ", "the answer is 5", "answer the is 4"]);
    assert.equal(clusters[0], clusters[1]);
    assert.equal(new Set(clusters).size, 3);
    assert.ok(Math.abs(semanticEntropyDiscrete(clusters) - semanticEntropyDiscrete([0, 0, 1, 2])) < 1e-15);
  });

  it("metrics that need two documents are NaN for one, and corpus metrics are NaN for none", () => {
    const one = ["only one document here"];
    assert.ok(Number.isNaN(selfBleu(one, 4)));
    assert.ok(Number.isNaN(homogenizationRougeL(one)));
    assert.ok(Number.isNaN(meanPairwiseCosineDistance(one)));
    assert.ok(Number.isNaN(distinctN([], 1)));
    assert.ok(Number.isNaN(nearDuplicateRate([])));
    assert.ok(Number.isNaN(vendiNgram([])));
  });
});
