// Token ↔ id, plus the per-token derived forms other metrics tokenize by (lowercase for shingles and answer
// clusters, rouge_score pieces for ROUGE-L). Derived forms are computed once per vocabulary entry, so a panel
// window that lives across rounds never re-tokenizes a document it has seen.
import { rougeTokens } from "./tokens";

export class Vocabulary {
  readonly tokens: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Lowercased forms, in their own id space. */
  readonly lowercaseTokens: string[] = [];
  private readonly lowercaseIds = new Map<string, number>();
  private readonly lowercaseOf: number[] = [];
  private readonly rougeIds = new Map<string, number>();
  private readonly rougeOf: number[][] = [];

  private id(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.tokens.length;
      this.ids.set(token, id);
      this.tokens.push(token);
    }
    return id;
  }

  /**
   * The document's whitespace tokens (as `tokenize` splits them) as ids. Scans the characters and finds known
   * tokens by hash without cutting a substring for each — at 100k documents, splitting and hashing fresh
   * strings was most of the cost of reading a corpus.
   */
  encode(doc: string): Int32Array {
    const out: number[] = [];
    const length = doc.length;
    let i = 0;
    for (;;) {
      while (i < length && isWhitespace(doc.charCodeAt(i))) i++;
      if (i >= length) break;
      const start = i;
      let hash = 0x811c9dc5;
      for (let c = doc.charCodeAt(i); i < length && !isWhitespace(c); c = doc.charCodeAt(++i)) hash = Math.imul(hash ^ c, 0x01000193);
      out.push(this.idAt(doc, start, i, hash >>> 0));
    }
    return Int32Array.from(out);
  }

  // Token ids by hash of their characters, for `encode`: bucket heads and chains in flat arrays.
  private heads = new Int32Array(1 << 12).fill(-1);
  private chain: number[] = [];
  private hashes: number[] = [];

  private idAt(doc: string, start: number, end: number, hash: number): number {
    const length = end - start;
    for (let id = this.heads[hash & (this.heads.length - 1)]!; id >= 0; id = this.chain[id]!) {
      if (this.hashes[id] === hash && this.tokens[id]!.length === length && doc.startsWith(this.tokens[id]!, start)) return id;
    }
    const token = doc.slice(start, end);
    const id = this.id(token);
    if (id === this.hashes.length) this.index(id, hash);
    return id;
  }

  private index(id: number, hash: number): void {
    this.hashes.push(hash);
    if (this.hashes.length > this.heads.length) {
      // Keep chains short: double the buckets and re-thread every token.
      this.heads = new Int32Array(this.heads.length * 2).fill(-1);
      this.chain = [];
      this.hashes.forEach((h, t) => {
        this.chain[t] = this.heads[h & (this.heads.length - 1)]!;
        this.heads[h & (this.heads.length - 1)] = t;
      });
      return;
    }
    const bucket = hash & (this.heads.length - 1);
    this.chain[id] = this.heads[bucket]!;
    this.heads[bucket] = id;
  }

  lowercaseId(id: number): number {
    let lower = this.lowercaseOf[id];
    if (lower === undefined) {
      const form = this.tokens[id]!.toLowerCase();
      lower = this.lowercaseIds.get(form);
      if (lower === undefined) {
        lower = this.lowercaseTokens.length;
        this.lowercaseIds.set(form, lower);
        this.lowercaseTokens.push(form);
      }
      this.lowercaseOf[id] = lower;
    }
    return lower;
  }

  /**
   * The rouge_score tokens of one whitespace token, as ids. Whitespace is among the characters rouge_score turns
   * into separators, so a document's ROUGE tokens are its whitespace tokens' pieces in turn.
   */
  rougePieces(id: number): number[] {
    let pieces = this.rougeOf[id];
    if (pieces === undefined) {
      pieces = rougeTokens(this.tokens[id]!).map((t) => {
        let r = this.rougeIds.get(t);
        if (r === undefined) this.rougeIds.set(t, (r = this.rougeIds.size));
        return r;
      });
      this.rougeOf[id] = pieces;
    }
    return pieces;
  }
}

/** The characters JavaScript's `\s` matches (so `encode` splits exactly as `tokenize`). */
function isWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
