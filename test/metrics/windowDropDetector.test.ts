// The sliding-window drop signal (the panel's earlier alarm, kept as bench:collapse's baseline) on synthetic
// streams whose truth is known: narrowing to three documents must trip it, staying diverse must not.
import assert from "node:assert/strict";
import { WindowDropDetector, type WindowDropVerdict } from "../../workspace-kb/metrics/windowDropDetector";
import { MetricsWindow } from "../../workspace-kb/metrics/metricsWindow";
import { narrowingStream, templatedStream, zipfCorpus } from "./syntheticCorpus";

const ROUND = 50;

/** Feed a stream round by round through a panel window; return the verdict for each full window, with the round's first document index. */
function run(stream: string[]): { at: number; verdict: WindowDropVerdict }[] {
  const window = new MetricsWindow({ size: 300, kernelSize: 100, rougePairs: 500 });
  const detector = new WindowDropDetector();
  const verdicts: { at: number; verdict: WindowDropVerdict }[] = [];
  for (let at = 0; at < stream.length; at += ROUND) {
    const metrics = window.add(stream.slice(at, at + ROUND));
    if (window.isFull) verdicts.push({ at, verdict: detector.observe(metrics) });
  }
  return verdicts;
}

describe("the window-drop signal", () => {
  it("raises the alarm when a stream narrows from many distinct documents to three repeated ones, and not before", () => {
    const verdicts = run(narrowingStream(1000, 800, 5));
    const before = verdicts.filter((v) => v.at < 1000);
    const after = verdicts.filter((v) => v.at >= 1000);
    assert.ok(before.every((v) => !v.verdict.alarm), "no alarm while the stream is diverse");
    const first = after.find((v) => v.verdict.alarm);
    assert.ok(first, "the alarm is raised after the stream narrows");
    assert.ok(first.at <= 1000 + 3 * ROUND, `the alarm comes within three rounds (at ${first.at})`);
    const names = first.verdict.falling.map((f) => f.metric);
    assert.ok(names.length >= 2, `at least two series fall (${names.join(", ")})`);
  });

  it("stays silent on a stream that stays diverse", () => {
    const verdicts = run(zipfCorpus({ docs: 2000, seed: 8 }));
    assert.ok(verdicts.length > 20);
    assert.deepEqual(verdicts.filter((v) => v.verdict.alarm).map((v) => v.at), []);
  });

  it("stays silent on a diverse stream whose documents all share a fixed template", () => {
    const verdicts = run(templatedStream(2000, 9));
    assert.ok(verdicts.length > 20);
    assert.deepEqual(verdicts.filter((v) => v.verdict.alarm).map((v) => v.at), []);
  });

  it("judges direction per metric: a rising compression ratio and self-BLEU count as falls in diversity", () => {
    const detector = new WindowDropDetector({ history: 3 });
    detector.observe({ distinct_2: 0.5, compression_ratio: 2, self_bleu_4: 0.1, vendi_ngram: 100 });
    const verdict = detector.observe({ distinct_2: 0.5, compression_ratio: 3, self_bleu_4: 0.3, vendi_ngram: 100 });
    assert.equal(verdict.alarm, true);
    assert.deepEqual(verdict.falling.map((f) => f.metric), ["compression_ratio", "self_bleu_4"]);
    const better = detector.observe({ distinct_2: 0.6, compression_ratio: 1.5, self_bleu_4: 0.05, vendi_ngram: 120 });
    assert.equal(better.alarm, false);
  });

  it("forgets windows older than its history", () => {
    const detector = new WindowDropDetector({ history: 2, minFalling: 1, series: [{ metric: "distinct_2", threshold: 0.2, mode: "relative" }] });
    detector.observe({ distinct_2: 1 });
    detector.observe({ distinct_2: 0.7 });
    detector.observe({ distinct_2: 0.7 });
    assert.equal(detector.observe({ distinct_2: 0.7 }).alarm, false, "the best of the last two windows is 0.7");
  });

  it("refuses an invalid configuration", () => {
    assert.throws(() => new WindowDropDetector({ history: 0 }));
    assert.throws(() => new WindowDropDetector({ series: [{ metric: "distinct_9" as never, threshold: 0.1, mode: "relative" }] }));
  });
});
