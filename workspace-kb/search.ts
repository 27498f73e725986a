// Ranking over all index parts: Okapi BM25 (Robertson & Zaragoza 2009, k1 = 1.2, b = 0.75) with corpus
// statistics summed across parts, cosine similarity for embeddings, and reciprocal rank fusion when both are asked.
import type { IndexPart } from "./indexPart";
import { ENTRY_KINDS } from "./schema";
import type { EntryKind } from "./schema";
import { tokenize } from "./tokenize";

const K1 = 1.2;
const B = 0.75;

export interface SearchFilter {
  kinds?: readonly EntryKind[];
  generations?: readonly number[] | { min?: number; max?: number };
  includeArchived?: boolean;
}

export interface Hit {
  part: number;
  doc: number;
  score: number;
}

/** Tells whether a candidate passes the filter; `isArchived` is asked only for candidates. */
function admits(filter: SearchFilter, isArchived: (id: string) => boolean) {
  const kindMask = filter.kinds ? new Set(filter.kinds.map((kind) => ENTRY_KINDS.indexOf(kind))) : undefined;
  const gens = filter.generations;
  const genSet = Array.isArray(gens) ? new Set(gens) : undefined;
  const range = gens && !Array.isArray(gens) ? (gens as { min?: number; max?: number }) : undefined;
  return (part: IndexPart, doc: number): boolean => {
    if (kindMask && !kindMask.has(part.kind(doc))) return false;
    if (genSet || range) {
      const generation = part.generation(doc);
      if (genSet && !genSet.has(generation)) return false;
      if (range && ((range.min !== undefined && generation < range.min) || (range.max !== undefined && generation > range.max))) return false;
    }
    return filter.includeArchived === true || !isArchived(part.id(doc));
  };
}

/** Keeps the k best hits seen so far, best first. */
class TopK {
  readonly hits: Hit[] = [];
  constructor(private readonly k: number) {}
  get threshold(): number {
    return this.hits.length < this.k ? -Infinity : this.hits[this.hits.length - 1]!.score;
  }
  offer(part: number, doc: number, score: number): void {
    if (score <= this.threshold) return;
    let at = this.hits.length;
    while (at > 0 && this.hits[at - 1]!.score < score) at--;
    this.hits.splice(at, 0, { part, doc, score });
    if (this.hits.length > this.k) this.hits.pop();
  }
}

/** Per-document score accumulator reused across parts and queries (search is synchronous), zeroed after use. */
let scratch = new Float64Array(0);
const touched: number[] = [];

export function bm25(parts: readonly IndexPart[], query: string, k: number, filter: SearchFilter, isArchived: (id: string) => boolean): Hit[] {
  const terms = [...new Set(tokenize(query))];
  let docCount = 0;
  let totalLength = 0;
  for (const part of parts) {
    docCount += part.count;
    totalLength += part.totalLength;
  }
  if (terms.length === 0 || docCount === 0) return [];
  const averageLength = totalLength / docCount || 1;
  // Look every term up once per part; the lists serve both the document frequencies and the scoring.
  const lists = terms.map((term) => {
    const key = Buffer.from(term, "utf8");
    return parts.map((part) => part.postings(term, key));
  });
  const idf = lists.map((perPart) => {
    let df = 0;
    for (const postings of perPart) if (postings) df += postings.end - postings.start;
    return Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
  });
  const accept = admits(filter, isArchived);
  const top = new TopK(k);
  for (const [partIndex, part] of parts.entries()) {
    if (scratch.length < part.count) scratch = new Float64Array(part.count);
    const scores = scratch;
    touched.length = 0;
    lists.forEach((perPart, t) => {
      const postings = perPart[partIndex];
      if (!postings) return;
      const { docs, tfs, start, end } = postings;
      const lengths = part.lengths;
      const weight = idf[t]! * (K1 + 1);
      for (let i = start; i < end; i++) {
        const doc = docs[i]!;
        const tf = tfs[i]!;
        const norm = K1 * (1 - B + (B * lengths[doc]!) / averageLength);
        if (scores[doc] === 0) touched.push(doc);
        scores[doc]! += (weight * tf) / (tf + norm);
      }
    });
    for (const doc of touched) {
      const score = scores[doc]!;
      scores[doc] = 0; // leave the scratch clean for the next part
      if (score > top.threshold && accept(part, doc)) top.offer(partIndex, doc, score);
    }
  }
  return top.hits;
}

export function cosine(parts: readonly IndexPart[], vector: readonly number[], k: number, filter: SearchFilter, isArchived: (id: string) => boolean): Hit[] {
  const queryNorm = Math.hypot(...vector);
  if (queryNorm === 0) return [];
  const accept = admits(filter, isArchived);
  const top = new TopK(k);
  for (const [partIndex, part] of parts.entries()) {
    const block = part.vectorBlock?.();
    if (block) {
      // One pass over the segment's contiguous float32 block: no per-document objects.
      if (block.dim !== vector.length) continue;
      const { dim, norms, values } = block;
      for (let doc = 0; doc < part.count; doc++) {
        const norm = norms[doc]!;
        if (norm === 0) continue;
        let dot = 0;
        for (let i = 0, at = doc * dim; i < dim; i++, at++) dot += vector[i]! * values[at]!;
        const score = dot / (queryNorm * norm);
        if (score > top.threshold && accept(part, doc)) top.offer(partIndex, doc, score);
      }
      continue;
    }
    for (let doc = 0; doc < part.count; doc++) {
      const candidate = part.vector(doc);
      if (!candidate || candidate.values.length !== vector.length) continue;
      let dot = 0;
      for (let i = 0; i < vector.length; i++) dot += vector[i]! * candidate.values[i]!;
      const score = dot / (queryNorm * candidate.norm);
      if (score > top.threshold && accept(part, doc)) top.offer(partIndex, doc, score);
    }
  }
  return top.hits;
}

/** Reciprocal rank fusion (Cormack et al. 2009, k = 60) of several rankings into one. */
export function fuse(rankings: readonly Hit[][], k: number): Hit[] {
  const fused = new Map<string, Hit>();
  for (const ranking of rankings) {
    ranking.forEach((hit, rank) => {
      const key = `${hit.part}:${hit.doc}`;
      const existing = fused.get(key);
      const add = 1 / (60 + rank + 1);
      if (existing) existing.score += add;
      else fused.set(key, { part: hit.part, doc: hit.doc, score: add });
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score).slice(0, k);
}
