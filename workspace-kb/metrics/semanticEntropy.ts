// semantic_entropy_discrete = −Σ_c p(c) ln p(c) over answer clusters, p(c) = |c|/N (Kuhn et al. 2023;
// Farquhar et al. 2024 `cluster_assignment_entropy`). NaN for no answers.
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

/** The clusters the CLI uses when none are given: identical answers after lowercasing and collapsing whitespace. */
export function exactMatchClusters(corpus: readonly string[]): string[] {
  return corpus.map((doc) => doc.toLowerCase().split(/\s+/).filter(Boolean).join(" "));
}
