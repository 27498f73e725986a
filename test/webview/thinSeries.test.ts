// Drawing a long history through fewer points must not change what the chart says: every drawn point is a real
// value, and each series' extremes (overall and per slice of the x axis), first and last values, gaps and counts
// survive. Checked against brute-force scans of the same columns.
import assert from "node:assert/strict";
import { seededRandom } from "../../workspace-kb/random";
import { thinSeries, type Columns } from "../../webview/thinSeries";

/** 1,000 generations: a noisy walk with one spike and one dip, a series measured every other generation, a flat one. */
function history(): Columns {
  const random = seededRandom(3);
  const xs = Array.from({ length: 1000 }, (_, g) => g);
  let level = 0.5;
  const walk = xs.map((g) => {
    level += (random.next() - 0.5) * 0.05;
    return g === 417 ? 9 : g === 713 ? -9 : level;
  });
  const sparse = xs.map((g) => (g % 2 === 1 ? random.next() : null));
  const flat = xs.map(() => 2);
  return [xs, walk, sparse, flat];
}

const numbers = (col: readonly (number | null)[]): number[] => col.filter((v): v is number => v !== null);
const real = (col: readonly (number | null)[]) => col.flatMap((v, i) => (v === null ? [] : [i]));

describe("a long series drawn through its extremes (thinSeries)", () => {
  const columns = history();
  const slices = 100;
  const thinned = thinSeries(columns, slices);

  it("draws only real (generation, value) pairs, keeps every gap a gap and the x column whole", () => {
    assert.deepEqual(thinned[0], columns[0]);
    for (let s = 1; s < columns.length; s++) {
      const before = columns[s]!;
      const after = thinned[s]!;
      assert.equal(after.length, before.length);
      for (let i = 0; i < after.length; i++) if (after[i] !== null) assert.equal(after[i], before[i], `series ${s} at generation ${i}`);
    }
  });

  it("keeps each series' lowest and highest value, its first and its last", () => {
    for (let s = 1; s < columns.length; s++) {
      const values = numbers(columns[s]!);
      const kept = numbers(thinned[s]!);
      assert.equal(Math.min(...kept), Math.min(...values));
      assert.equal(Math.max(...kept), Math.max(...values));
      const at = real(columns[s]!);
      assert.equal(thinned[s]![at[0]!], columns[s]![at[0]!], "first value");
      assert.equal(thinned[s]![at.at(-1)!], columns[s]![at.at(-1)!], "last value");
    }
    assert.equal(thinned[1]![417], 9, "the spike");
    assert.equal(thinned[1]![713], -9, "the dip");
  });

  it("keeps the lowest and highest value in every slice of the x axis, so the drawn envelope is the data's", () => {
    const xs = columns[0];
    const span = xs.at(-1)! - xs[0]!;
    for (let s = 1; s < columns.length; s++) {
      for (let k = 0; k < slices; k++) {
        const inSlice = xs.flatMap((x, i) => (Math.min(slices - 1, Math.floor(((x - xs[0]!) / span) * slices)) === k && columns[s]![i] !== null ? [i] : []));
        if (inSlice.length === 0) continue;
        const values = inSlice.map((i) => columns[s]![i]!);
        const kept = numbers(inSlice.map((i) => thinned[s]![i] ?? null));
        assert.equal(Math.min(...kept), Math.min(...values), `series ${s}, slice ${k}: lowest`);
        assert.equal(Math.max(...kept), Math.max(...values), `series ${s}, slice ${k}: highest`);
      }
    }
  });

  it("draws at most two points per slice plus the ends, far fewer than the history has", () => {
    for (let s = 1; s < columns.length; s++) {
      const kept = real(thinned[s]!).length;
      assert.ok(kept <= 2 * slices + 2, `series ${s}: ${kept} points`);
    }
    assert.ok(real(thinned[1]!).length < 0.25 * real(columns[1]!).length);
    assert.ok(real(thinned[3]!).length <= slices + 2, "a flat series needs one point per slice");
  });

  it("keeps an interval's two edges at the same generations, so the band between them stays closed", () => {
    const banded = thinSeries(columns, slices, [[0, 1]]);
    assert.deepEqual(real(banded[1]!).filter((i) => i % 2 === 1), real(banded[2]!));
    assert.ok(real(banded[1]!).length >= real(thinned[1]!).length);
  });

  it("leaves a short history as it is", () => {
    const short: Columns = [[0, 1, 2, 3], [1, null, 3, 2]];
    assert.equal(thinSeries(short, slices), short);
  });
});

describe("the generation axis's labels", () => {
  it("group thousands as uPlot's default (Intl en-US) did", async () => {
    const { generationTick } = await import("../../webview/charts");
    const en = new Intl.NumberFormat("en-US");
    for (const g of [0, 7, 999, 1000, 1200, 12_345, 100_000, 1_234_567]) assert.equal(generationTick(g), en.format(g), String(g));
  });
});
