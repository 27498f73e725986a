// The loop's collapse detector on streams whose truth is known (collapseStreams.ts): a null (documents shuffled
// across generations) must stay quiet, a gradual convergence without copying must show "converging" and never
// the alarm, a collapse onto three or five stories must raise the alarm within a few generations and keep it up.
// The error rates are checked loosely here; bench:collapse measures them on more runs.
import assert from "node:assert/strict";
import { CollapseDetector } from "../../workspace-kb/metrics/collapseDetector";
import { judgeStream } from "../../workspace-kb/metrics/collapseStream";
import { equalSample } from "../../workspace-kb/metrics/generationSample";
import { calibrate, medianDelay } from "./collapseCalibration";
import { collapsingStream, convergingStream } from "./collapseStreams";

describe("the collapse detector", function () {
  this.timeout(120_000);

  it("raises no alarm on null streams and catches a collapse onto three stories within three generations (24 documents a generation)", () => {
    const c = calibrate("collapse", { perGeneration: 24, generations: 20, runs: 8, seed: 3 });
    assert.equal(c.nullFalseAlarm, 0, "no null run alarms");
    assert.equal(c.nullConverging, 0, "no null run shows converging");
    assert.ok(c.delays.every((d) => d !== undefined && d <= 3), `delays ${c.delays.join(", ")}`);
    assert.ok(c.collapsedCoverage >= 0.95, `the alarm is up on ${c.collapsedCoverage} of fully collapsed generations`);
  });

  it("catches a collapse onto five stories with eight documents a generation", () => {
    const c = calibrate("collapse", { perGeneration: 8, generations: 20, runs: 8, modes: 5, seed: 4 });
    assert.equal(c.nullFalseAlarm, 0);
    assert.ok(medianDelay(c.delays) <= 3, `delays ${c.delays.join(", ")}`);
  });

  it("shows a gradual convergence without copies as converging, never as collapse", () => {
    const c = calibrate("collapse", { perGeneration: 24, generations: 20, runs: 6, seed: 5 });
    assert.equal(c.convergingAlarm, 0, "no alarm on convergence");
    assert.ok(c.convergingShown >= 0.8, `converging shown by the end in ${c.convergingShown} of runs`);
  });

  it("does better than the earlier window-drop signal on the same samples: it alarms on convergence, the new one does not", () => {
    const old = calibrate("window-drop", { perGeneration: 24, generations: 20, runs: 6, seed: 5 });
    assert.ok(old.convergingAlarm > 0.5, `the window-drop signal alarms on ${old.convergingAlarm} of converging runs`);
  });

  it("keeps the alarm up for as long as the collapse lasts, long after the last diverse generation", () => {
    const stream = collapsingStream({ generations: 40, perGeneration: 24, seed: 9, modes: 3, collapseAt: 5, ramp: 1 });
    const records = judgeStream(stream, { seed: 9 }).records;
    assert.deepEqual(records.filter((r) => r.generation >= 6 && !r.alarm).map((r) => r.generation), []);
    assert.match(records.at(-1)!.reasons.join(" "), /vendi_ngram .* from its best .*\(gen [0-4]\)/);
  });

  it("compares a generation only with others measured on the same number of documents", () => {
    const stream = convergingStream({ generations: 3, perGeneration: 10, seed: 2 });
    stream.get(1)!.splice(4);
    const { sampleSize, records } = judgeStream(stream, { sampleSize: 8 });
    assert.equal(sampleSize, 8);
    assert.deepEqual(records.map((r) => r.sampled), [8, 0, 8]);
    assert.match(records[1]!.reasons[0]!, /only 4 documents; the sample size is 8: not measured/);
    const sample = equalSample(stream.get(0)!, 8, 1)!;
    assert.equal(sample.length, 8);
    assert.deepEqual(equalSample(stream.get(0)!, 8, 1), sample, "the sample is seeded");
    assert.ok(sample.every((d) => stream.get(0)!.includes(d)) && new Set(sample).size === 8);
  });

  it("needs two series of different kinds to agree before raising the alarm", () => {
    const detector = new CollapseDetector();
    detector.observe(0, { distinct_2: 0.9, vendi_ngram: 20, near_duplicate_rate: 0 });
    const lexicalOnly = detector.observe(1, { distinct_2: 0.3, vendi_ngram: 19, near_duplicate_rate: 0 });
    assert.equal(lexicalOnly.alarm, false, "repetition alone is not collapse");
    const two = detector.observe(2, { distinct_2: 0.3, vendi_ngram: 5, near_duplicate_rate: 0 });
    assert.equal(two.alarm, true);
    assert.match(two.reasons[0]!, /2 of 3 series fell past their collapse threshold/);
    assert.ok(two.reasons.some((r) => r.startsWith("vendi_ngram 5.000 fell 75% from its best 20.000 (gen 0)")), two.reasons.join(" | "));
  });

  it("refuses an invalid configuration", () => {
    assert.throws(() => new CollapseDetector({ minAgreeing: 4 }));
    assert.throws(() => new CollapseDetector({ series: [{ metric: "distinct_2", collapse: 0.1, converge: 0.2, mode: "relative" }] }));
  });
});
