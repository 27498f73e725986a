// An open-addressing hash table from non-negative integer keys (< 2^53) to dense ids 0,1,2,…; interning
// millions of n-grams through a JS Map costs several times more, and the panel interns every round.
export class IdTable {
  private keys: Float64Array;
  private ids: Int32Array;
  private mask: number;
  /** Number of distinct keys interned so far; ids are 0..size-1 in order of first sight. */
  size = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.ids = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  /** The id of `key`, assigning the next id if it is new. */
  intern(key: number): number {
    let slot = this.slotOf(key);
    const found = this.ids[slot]!;
    if (found >= 0) return found;
    if ((this.size + 1) * 2 > this.ids.length) {
      this.grow();
      slot = this.slotOf(key);
    }
    this.keys[slot] = key;
    this.ids[slot] = this.size;
    return this.size++;
  }

  private slotOf(key: number): number {
    // Mix the high and low halves so keys built as prefix * vocabulary + token spread evenly.
    const lo = key >>> 0;
    const hi = (key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    let slot = h & this.mask;
    while (this.ids[slot]! >= 0 && this.keys[slot] !== key) slot = (slot + 1) & this.mask;
    return slot;
  }

  private grow(): void {
    const { keys, ids } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.ids = new Int32Array(ids.length * 2).fill(-1);
    this.mask = this.ids.length - 1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id >= 0) {
        const slot = this.slotOf(keys[i]!);
        this.keys[slot] = keys[i]!;
        this.ids[slot] = id;
      }
    }
  }
}
