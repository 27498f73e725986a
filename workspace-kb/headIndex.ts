// The in-memory index of the open head: entries not yet sealed into a segment. Grows one entry at a time;
// when it is sealed, segmentFile.ts freezes it as it is (no re-tokenising).
import type { IndexPart, Postings } from "./indexPart";
import { ENTRY_KINDS } from "./schema";
import type { Entry } from "./schema";
import { termFrequencies } from "./tokenize";

export class HeadIndex implements IndexPart {
  readonly entries: Entry[] = [];
  readonly terms = new Map<string, { docs: number[]; tfs: number[] }>();
  readonly lengths: number[] = [];
  private readonly norms: number[] = [];
  totalLength = 0;

  get count(): number {
    return this.entries.length;
  }

  add(entry: Entry): void {
    const doc = this.entries.length;
    const { terms, length } = termFrequencies(entry.title, entry.text);
    for (const [term, tf] of terms) {
      let postings = this.terms.get(term);
      if (!postings) this.terms.set(term, (postings = { docs: [], tfs: [] }));
      postings.docs.push(doc);
      postings.tfs.push(tf);
    }
    this.entries.push(entry);
    this.lengths.push(length);
    this.norms.push(entry.embedding ? Math.hypot(...entry.embedding) : 0);
    this.totalLength += length;
  }

  postings(term: string): Postings | undefined {
    const postings = this.terms.get(term);
    return postings && { docs: postings.docs, tfs: postings.tfs, start: 0, end: postings.docs.length };
  }

  kind(doc: number): number {
    return ENTRY_KINDS.indexOf(this.entries[doc]!.kind);
  }

  generation(doc: number): number {
    return this.entries[doc]!.generation;
  }

  id(doc: number): string {
    return this.entries[doc]!.id;
  }

  vector(doc: number): { values: ArrayLike<number>; norm: number } | undefined {
    const values = this.entries[doc]!.embedding;
    const norm = this.norms[doc]!;
    return values && norm > 0 ? { values, norm } : undefined; // a zero vector has no direction to compare
  }
}
