// semantic_entropy_discrete = −Σ_c p(c) ln p(c) over answer clusters, p(c) = |c|/N (Kuhn et al. 2023;
// Farquhar et al. 2024 `cluster_assignment_entropy`). NaN for no answers.
import { prepare, type Corpus } from "./preparedCorpus";
export function semanticEntropyDiscrete(clusterIds: readonly (number | string)[]): number {
  if (clusterIds.length === 0) return Number.NaN;
  const sizes = new Map<number | string, number>();
  for (const id of clusterIds) sizes.set(id, (sizes.get(id) ?? 0) + 1);
  let entropy = 0;
  for (const size of sizes.values()) {
    const p = size / clusterIds.length;
    entropy -= p * Math.log(p);
  }
  return entropy;
}

/**
 * The clusters used when none are given: identical answers after lowercasing and collapsing whitespace. Keyed
 * by two independent 32-bit hashes of the lowercased token ids plus the length (collisions ~2^-64), so 100k
 * answers cost no string building.
 */
export function exactMatchClusters(corpus: Corpus): string[] {
  const { tokens, offsets } = prepare(corpus).lowercaseTokenIds;
  const keys: string[] = [];
  for (let d = 0; d + 1 < offsets.length; d++) {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = offsets[d]!; i < offsets[d + 1]!; i++) {
      h1 = Math.imul(h1 ^ tokens[i]!, 0x01000193);
      h2 = Math.imul(h2 ^ tokens[i]!, 0x5bd1e995) ^ (h2 >>> 15);
    }
    keys.push(`${h1 >>> 0}:${h2 >>> 0}:${offsets[d + 1]! - offsets[d]!}`);
  }
  return keys;
}
