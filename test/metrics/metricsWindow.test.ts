// The panel window: after any number of rounds its metrics are those of its documents, computed from scratch.
import assert from "node:assert/strict";
import { computeMetrics, METRIC_KEYS } from "../../workspace-kb/metrics/computeMetrics";
import { CulturePanel } from "../../workspace-kb/metrics/culturePanel";
import { MetricsWindow } from "../../workspace-kb/metrics/metricsWindow";
import { seededRandom } from "../../workspace-kb/random";
import { vendiOfVectors } from "../../workspace-kb/metrics/vendi";
import { zipfCorpus } from "./syntheticCorpus";

describe("the metrics panel window", () => {
  it("after sliding over many rounds, reports the from-scratch metrics of exactly its last `size` documents", () => {
    const corpus = zipfCorpus({ docs: 700, seed: 21, meanLength: 30, vocabulary: 3000 });
    const window = new MetricsWindow({ size: 200, kernelSize: 80, rougePairs: 3000 });
    let metrics = window.add(corpus.slice(0, 150));
    for (let at = 150; at < corpus.length; at += 50) metrics = window.add(corpus.slice(at, at + 50));
    assert.deepEqual(window.windowDocuments, corpus.slice(-200));
    assert.equal(window.isFull, true);
    assert.deepEqual(Object.keys(metrics), [...METRIC_KEYS]);
    const exact = computeMetrics(corpus.slice(-200), { kernelWindow: 80, rougePairs: Number.POSITIVE_INFINITY });
    for (const key of METRIC_KEYS) {
      if (key === "homogenization_rougel" || key === "vendi_embedding") continue;
      assert.ok(Math.abs(metrics[key] - exact[key]) < 1e-9, `${key}: window ${metrics[key]} vs scratch ${exact[key]}`);
    }
    assert.ok(Math.abs(metrics.homogenization_rougel - exact.homogenization_rougel) < 0.01, "the refreshed ROUGE-L sample stays close to the exact mean");
    assert.ok(Number.isNaN(metrics.vendi_embedding), "no embeddings were given");
  });

  it("keeps Vendi on embeddings exact through rank-one additions and removals of the dual", () => {
    const random = seededRandom(4);
    const docs = Array.from({ length: 90 }, (_, i) => `document ${i}`);
    const embeddings = docs.map(() => Array.from({ length: 12 }, () => random.next() - 0.5));
    const window = new MetricsWindow({ size: 40, kernelSize: 10, rougePairs: 10 });
    let metrics = window.add(docs.slice(0, 30), embeddings.slice(0, 30));
    for (let at = 30; at < 90; at += 20) metrics = window.add(docs.slice(at, at + 20), embeddings.slice(at, at + 20));
    assert.ok(Math.abs(metrics.vendi_embedding - vendiOfVectors(embeddings.slice(-40), 1)) < 1e-9);
  });

  it("refuses a configuration that makes no sense", () => {
    assert.throws(() => new MetricsWindow({ size: 1 }));
    assert.throws(() => new MetricsWindow({ rougePairs: 0 }));
  });
});

describe("the culture panel", () => {
  it("gives defined NaN values for an empty and a one-document window instead of failing", () => {
    const panel = new CulturePanel({ window: { size: 10, kernelSize: 5, rougePairs: 20 } });
    const empty = panel.add([]);
    assert.ok(Object.values(empty.metrics).every((v) => Number.isNaN(v)), "nothing to measure yet");
    const one = panel.add(["a single note about nothing"]);
    assert.equal(one.metrics.distinct_1, 1);
    assert.ok(Number.isNaN(one.metrics.self_bleu_4));
    assert.equal(one.verdict, undefined, "no verdict before the window is full");
  });

  it("judges collapse only on full windows, with the configured detector", () => {
    const panel = new CulturePanel({ window: { size: 100, kernelSize: 50, rougePairs: 200 }, collapse: { history: 3 } });
    const corpus = zipfCorpus({ docs: 100, seed: 2 });
    assert.equal(panel.add(corpus.slice(0, 50)).verdict, undefined);
    const full = panel.add(corpus.slice(50));
    assert.deepEqual(full.verdict, { alarm: false, falling: [] });
    const collapsed = panel.add(Array.from({ length: 100 }, (_, i) => corpus[i % 3]!));
    assert.equal(collapsed.verdict?.alarm, true);
    assert.equal(collapsed.windowSize, 100);
    assert.equal(collapsed.documentCount, 200);
  });

  it("says which documents each metric covers", () => {
    const forms = new CulturePanel({ window: { size: 400, kernelSize: 150, rougePairs: 900 } }).forms;
    assert.equal(forms.self_bleu_4, "last 400 docs");
    assert.equal(forms.vendi_ngram, "last 150 docs, 1–4-gram cosine kernel");
    assert.equal(forms.homogenization_rougel, "900 sampled pairs of the last 400 docs");
  });
});
