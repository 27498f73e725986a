// Cultural-accumulation figures over plain records: held-out gain with its bootstrap interval, ratchet,
// reuse and citation depth, attractor strength — each checked against answers worked out by hand.
import assert from "node:assert/strict";
import { attractorStrength } from "../../workspace-kb/metrics/attractorStrength";
import { heldOutGain, heldOutGainByGeneration, type EvaluationResult } from "../../workspace-kb/metrics/heldOutGain";
import { citationStats } from "../../workspace-kb/metrics/noteCitations";
import { seededRandom } from "../../workspace-kb/random";
import { ratchet } from "../../workspace-kb/metrics/ratchet";
import { ratchetNullDrift } from "../../workspace-kb/metrics/ratchetDrift";

function run(problemId: string, seed: number, withKb: boolean, solved: boolean, generation = 1): EvaluationResult {
  return { problemId, generation, seed, withKb, solved };
}

describe("cultural accumulation", () => {
  it("held-out gain is the paired difference of solve rates, with an interval around it", () => {
    // 4 problems × 2 seeds: with the KB 6/8 solved, without 2/8.
    const results = [
      run("p1", 1, true, true), run("p1", 1, false, false), run("p1", 2, true, true), run("p1", 2, false, true),
      run("p2", 1, true, true), run("p2", 1, false, false), run("p2", 2, true, true), run("p2", 2, false, false),
      run("p3", 1, true, true), run("p3", 1, false, true), run("p3", 2, true, false), run("p3", 2, false, false),
      run("p4", 1, true, true), run("p4", 1, false, false), run("p4", 2, true, false), run("p4", 2, false, false),
    ];
    const g = heldOutGain(results, 1);
    assert.equal(g.withKb, 6 / 8);
    assert.equal(g.withoutKb, 2 / 8);
    assert.equal(g.gain, 0.5);
    assert.equal(g.pairs, 8);
    assert.equal(g.problems, 4);
    assert.equal(g.unpaired, 0);
    assert.ok(g.low <= g.gain && g.gain <= g.high && g.low < g.high, `[${g.low}, ${g.high}]`);
    assert.deepEqual(heldOutGain(results, 1), g, "the same seed gives the same interval");
  });

  it("the interval collapses to a point when every problem gives the same answer", () => {
    const results = ["a", "b", "c"].flatMap((p) => [run(p, 1, true, true), run(p, 1, false, false)]);
    const g = heldOutGain(results, 1);
    assert.deepEqual([g.gain, g.low, g.high], [1, 1, 1]);
  });

  it("covers the true gain on a simulated bank, and counts runs without a twin instead of using them", () => {
    const random = seededRandom(17);
    const results: EvaluationResult[] = [];
    for (let p = 0; p < 300; p++) {
      const difficulty = random.next();
      for (let seed = 0; seed < 3; seed++) {
        results.push(run(`p${p}`, seed, true, random.next() < Math.min(1, difficulty + 0.2)));
        results.push(run(`p${p}`, seed, false, random.next() < difficulty));
      }
    }
    results.push(run("orphan", 0, true, true));
    const g = heldOutGain(results, 1);
    assert.equal(g.unpaired, 1);
    assert.ok(g.low < 0.2 && 0.2 < g.high, `[${g.low}, ${g.high}] should cover about 0.2 (less where the cap at 1 bites)`);
    assert.ok(g.high - g.low < 0.15);
  });

  it("reports every generation present, in order", () => {
    const results = [run("a", 1, true, true, 2), run("a", 1, false, false, 2), run("a", 1, true, false, 0), run("a", 1, false, false, 0)];
    assert.deepEqual(heldOutGainByGeneration(results).map((g) => [g.generation, g.gain]), [[0, 0], [2, 1]]);
  });

  it("the ratchet keeps the best with-KB solve rate so far and ignores runs without the KB", () => {
    const rates = [0.25, 0.5, 0.25, 0.75];
    const results = rates.flatMap((rate, generation) =>
      [0, 1, 2, 3].flatMap((i) => [run(`p${i}`, 1, true, i < rate * 4, generation), run(`p${i}`, 1, false, true, generation)]),
    );
    assert.deepEqual(ratchet(results), [
      { generation: 0, solveRate: 0.25, ratchet: 0.25 },
      { generation: 1, solveRate: 0.5, ratchet: 0.5 },
      { generation: 2, solveRate: 0.25, ratchet: 0.5 },
      { generation: 3, solveRate: 0.75, ratchet: 0.75 },
    ]);
  });

  it("reports the ratchet's null drift: how far a running maximum of unchanged noisy rates rises, growing with the evaluations", () => {
    // Exact E[max of k independent Binomial(n, p)/n] − p, from the binomial distribution function.
    const exact = (k: number, n: number, p: number) => {
      let cdf = 0;
      let expectedMax = 0;
      let pmf = (1 - p) ** n;
      for (let x = 0; x <= n; x++) {
        if (x > 0) pmf *= ((n - x + 1) / x) * (p / (1 - p));
        const below = cdf ** k;
        cdf += pmf;
        expectedMax += (x / n) * (cdf ** k - below);
      }
      return expectedMax - p;
    };
    const tallies = (k: number) => Array.from({ length: k }, () => ({ solved: 30, runs: 60 }));
    assert.ok(Math.abs(ratchetNullDrift(tallies(1))) < 0.005, "one evaluation: no drift");
    for (const k of [3, 20]) {
      const drift = ratchetNullDrift(tallies(k), { simulations: 4000 });
      assert.ok(Math.abs(drift - exact(k, 60, 0.5)) < 0.006, `k=${k}: simulated ${drift}, exact ${exact(k, 60, 0.5)}`);
    }
    assert.ok(exact(20, 60, 0.5) > 0.1 && exact(3, 60, 0.5) > 0.05, "the issue's figures: about +0.05 after 3 evaluations and +0.10 after 20");
    assert.ok(Number.isNaN(ratchetNullDrift([])));
  });

  it("reuse counts citations of earlier notes only, and depth is the longest chain of them", () => {
    const stats = citationStats([
      { id: "a", generation: 0, cites: [] },
      { id: "b", generation: 1, cites: ["a"] },
      { id: "e", generation: 1, cites: ["c"] }, // c does not exist yet: no reuse
      { id: "c", generation: 2, cites: ["b", "missing"] },
      { id: "d", generation: 2, cites: [] },
    ]);
    assert.deepEqual(stats, [
      { generation: 0, notes: 1, reuse: 0, citationDepth: 0 },
      { generation: 1, notes: 2, reuse: 0.5, citationDepth: 1 },
      { generation: 2, notes: 2, reuse: 0.5, citationDepth: 2 },
    ]);
  });

  it("attractor strength is 1 when chains forget where they started and 0 when they keep it", () => {
    const starts = [0.1, 0.4, 0.7, 0.9];
    assert.equal(attractorStrength(starts.map((x) => ({ initial: x, final: 0.5 }))).strength, 1);
    assert.ok(Math.abs(attractorStrength(starts.map((x) => ({ initial: x, final: x }))).strength) < 1e-12);
    const mirrored = attractorStrength(starts.map((x) => ({ initial: x, final: 2 - x })));
    assert.ok(Math.abs(mirrored.slope + 1) < 1e-12 && Math.abs(mirrored.strength) < 1e-12);
    const halfway = attractorStrength(starts.map((x) => ({ initial: x, final: 0.5 + (x - 0.5) / 2 })));
    assert.ok(Math.abs(halfway.strength - 0.5) < 1e-12);
    assert.ok(Number.isNaN(attractorStrength([{ initial: 1, final: 2 }]).strength));
    assert.ok(Number.isNaN(attractorStrength([{ initial: 1, final: 2 }, { initial: 1, final: 3 }]).strength));
  });
});
