// The novelty gate (an intervention, off in control runs): a note too similar to one already in the knowledge
// base is rejected. Similarity is the same word-3-shingle Jaccard as near_duplicate_rate (METRICS.md); the
// candidates are the note's nearest entries by BM25, since a near-duplicate shares most of its words.
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { jaccardSorted, shingleSets } from "../../workspace-kb/metrics/nearDuplicateRate";

const CANDIDATES = 20;

export function mostSimilarNote(kb: KnowledgeBase, text: string): { id: string; similarity: number } | undefined {
  const candidates = kb.search(text, { k: CANDIDATES, kinds: ["note", "chapter", "human"], includeArchived: true });
  if (candidates.length === 0) return undefined;
  const sets = shingleSets([text, ...candidates.map((c) => c.entry.text)]).map((s) => Int32Array.from(s).sort());
  let best: { id: string; similarity: number } | undefined;
  candidates.forEach((c, i) => {
    const similarity = jaccardSorted(sets[0]!, sets[i + 1]!);
    if (!best || similarity > best.similarity) best = { id: c.entry.id, similarity };
  });
  return best;
}
