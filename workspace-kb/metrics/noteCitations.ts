// Reuse = share of a generation's new notes that cite at least one earlier note; citation depth = the longest
// citation chain ending in a note of that generation (METRICS.md "Cultural accumulation"). Notes come in
// creation order; only citations of notes created earlier count, so chains cannot loop and a citation of a
// note that does not exist (yet) adds nothing. Depth counts citation hops: a note citing nothing has depth 0.
export interface NoteRecord {
  id: string;
  generation: number;
  cites: readonly string[];
}

export interface CitationStats {
  generation: number;
  notes: number;
  /** Notes of the generation citing ≥ 1 earlier note, as a share of its notes. */
  reuse: number;
  citationDepth: number;
}

/** Per generation present, in generation order. */
export function citationStats(notesInCreationOrder: readonly NoteRecord[]): CitationStats[] {
  const depth = new Map<string, number>();
  const stats = new Map<number, { notes: number; citing: number; depth: number }>();
  for (const note of notesInCreationOrder) {
    let deepest = -1;
    for (const cited of note.cites) {
      const d = depth.get(cited);
      if (d !== undefined) deepest = Math.max(deepest, d);
    }
    const own = deepest + 1;
    if (!depth.has(note.id)) depth.set(note.id, own);
    const row = stats.get(note.generation) ?? { notes: 0, citing: 0, depth: 0 };
    row.notes++;
    if (deepest >= 0) row.citing++;
    row.depth = Math.max(row.depth, own);
    stats.set(note.generation, row);
  }
  return [...stats.entries()]
    .sort(([a], [b]) => a - b)
    .map(([generation, row]) => ({ generation, notes: row.notes, reuse: row.citing / row.notes, citationDepth: row.depth }));
}
