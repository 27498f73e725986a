// Fewer points to draw, the same picture: a long history (1,000 generations on a chart a few hundred pixels wide)
// is drawn through, per series, its lowest and highest value in each narrow slice of the x axis plus its first and
// last value (min/max decimation, as in Steinarsson's "Downsampling time series for visual representation", 2013).
// Every point kept is a real (generation, value) pair; the others become gaps the line is drawn across, so the x
// column, the hover (which reads the full series) and the counts stay those of the data. Pure, unit-tested.

/** x first, then one column per series (uPlot's AlignedData, as plain arrays). */
export type Columns = [readonly number[], ...(readonly (number | null)[])[]];

/**
 * Keeps, for each series, the indices of its minimum and maximum in each of `slices` equal slices of the x range,
 * and its first and last value; the rest become null. Series listed together in `together` (an interval's two
 * edges) keep the same indices, so the band between them stays closed. Columns short enough to draw are returned as
 * they are.
 */
export function thinSeries(columns: Columns, slices: number, together: readonly (readonly number[])[] = []): Columns {
  const [xs, ...ys] = columns;
  const n = xs.length;
  if (n <= 2 * slices + 2 || slices < 1) return columns;
  const x0 = xs[0]!;
  const span = xs[n - 1]! - x0 || 1;
  const slice = new Int32Array(n);
  for (let i = 0; i < n; i++) slice[i] = Math.min(slices - 1, Math.floor(((xs[i]! - x0) / span) * slices));
  const keep = ys.map((col) => extremes(col, slice, slices));
  for (const group of together) {
    const union = new Uint8Array(n);
    for (const s of group) for (let i = 0; i < n; i++) union[i] = union[i]! | keep[s]![i]!;
    for (const s of group) keep[s] = union;
  }
  return [xs, ...ys.map((col, s) => col.map((v, i) => (keep[s]![i] ? v : null)))];
}

/** 1 at the first and last value, and at each slice's lowest and highest value (the first of equals). */
function extremes(col: readonly (number | null)[], slice: Int32Array, slices: number): Uint8Array {
  const keep = new Uint8Array(col.length);
  const low = new Int32Array(slices).fill(-1);
  const high = new Int32Array(slices).fill(-1);
  let first = -1;
  let last = -1;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (v === null || v === undefined) continue;
    if (first < 0) first = i;
    last = i;
    const s = slice[i]!;
    if (low[s]! < 0 || v < col[low[s]!]!) low[s] = i;
    if (high[s]! < 0 || v > col[high[s]!]!) high[s] = i;
  }
  if (first < 0) return keep;
  keep[first] = keep[last] = 1;
  for (let s = 0; s < slices; s++) {
    if (low[s]! >= 0) keep[low[s]!] = 1;
    if (high[s]! >= 0) keep[high[s]!] = 1;
  }
  return keep;
}
