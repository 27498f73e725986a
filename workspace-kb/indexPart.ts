// What retrieval needs from one slice of the entries: BM25 postings, per-document columns, vectors. The open
// head (headIndex.ts, in memory) and each sealed segment (segmentFile.ts, on disk) both provide it.
export interface Postings {
  docs: ArrayLike<number>;
  tfs: ArrayLike<number>;
  start: number;
  end: number;
}

export interface IndexPart {
  readonly count: number;
  /** Sum of document lengths in words, for BM25's average length. */
  readonly totalLength: number;
  /** The term's postings; `key` is the term as UTF-8, for parts that compare bytes. */
  postings(term: string, key: Uint8Array): Postings | undefined;
  /** Document lengths in words, by document. */
  readonly lengths: ArrayLike<number>;
  /** Index into ENTRY_KINDS. */
  kind(doc: number): number;
  generation(doc: number): number;
  id(doc: number): string;
  /** The document's embedding and its Euclidean norm, when it has one. */
  vector(doc: number): { values: ArrayLike<number>; norm: number } | undefined;
  /** All vectors of one dimension as one block (norm 0 = none), when the part stores them that way. */
  vectorBlock?(): { dim: number; norms: Float32Array; values: Float32Array } | undefined;
}
