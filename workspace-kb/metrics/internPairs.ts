// Dense ids for integer pairs by LSD radix sort: interning millions of n-grams through a hash table (or a JS
// Map) is bound by cache misses — 2 s per n-gram order at 100k documents here — while radix passes stream.

/** ids[i] identifies the pair (hi[i], lo[i]) (both non-negative int32); equal pairs share an id; ids are 0..distinct-1. */
export function internPairs(hi: Int32Array, lo: Int32Array): { ids: Int32Array; distinct: number } {
  const length = hi.length;
  let keyHi = Int32Array.from(hi);
  let keyLo = Int32Array.from(lo);
  let position = new Int32Array(length);
  for (let i = 0; i < length; i++) position[i] = i;
  let tmpHi = new Int32Array(length);
  let tmpLo = new Int32Array(length);
  let tmpPosition = new Int32Array(length);
  const count = new Int32Array(RADIX + 1);
  // Least significant first: the digits of lo, then those of hi; each pass is a stable counting sort.
  for (const [which, shift] of digitPasses(maxOf(lo), maxOf(hi))) {
    count.fill(0);
    const keys = which === "lo" ? keyLo : keyHi;
    for (let i = 0; i < length; i++) count[((keys[i]! >>> shift) & MASK) + 1]!++;
    for (let b = 1; b <= RADIX; b++) count[b]! += count[b - 1]!;
    for (let i = 0; i < length; i++) {
      const to = count[(keys[i]! >>> shift) & MASK]!++;
      tmpHi[to] = keyHi[i]!;
      tmpLo[to] = keyLo[i]!;
      tmpPosition[to] = position[i]!;
    }
    [keyHi, tmpHi] = [tmpHi, keyHi];
    [keyLo, tmpLo] = [tmpLo, keyLo];
    [position, tmpPosition] = [tmpPosition, position];
  }
  const ids = new Int32Array(length);
  let distinct = 0;
  for (let i = 0; i < length; i++) {
    if (i > 0 && (keyHi[i] !== keyHi[i - 1] || keyLo[i] !== keyLo[i - 1])) distinct++;
    ids[position[i]!] = distinct;
  }
  return { ids, distinct: length === 0 ? 0 : distinct + 1 };
}

const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;

function digitPasses(maxLo: number, maxHi: number): ["lo" | "hi", number][] {
  const passes: ["lo" | "hi", number][] = [];
  for (let shift = 0; shift === 0 || (shift < 31 && maxLo >>> shift > 0); shift += BITS) passes.push(["lo", shift]);
  for (let shift = 0; shift === 0 || (shift < 31 && maxHi >>> shift > 0); shift += BITS) passes.push(["hi", shift]);
  return passes;
}

function maxOf(values: Int32Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}
