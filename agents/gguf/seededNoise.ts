// Counter-based pseudo-random numbers: element i of a stream is a hash of (stream seed, i), so any chunk of a
// tensor can be generated on its own and the same seed always gives the same bytes.

/** 32-bit string hash (FNV-1a), to give each tensor name its own stream. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** murmur3's 32-bit finaliser over (seed, index): a well-mixed uint32. */
export function noiseU32(seed: number, index: number): number {
  let h = (Math.imul(index, 0x9e3779b1) ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [-1, 1). */
export function noiseSigned(seed: number, index: number): number {
  return noiseU32(seed, index) / 0x80000000 - 1;
}
