// Token ↔ id, plus the per-token derived forms other metrics tokenize by (lowercase for shingles and answer
// clusters, rouge_score pieces for ROUGE-L). Derived forms are computed once per vocabulary entry, so a panel
// window that lives across rounds never re-tokenizes a document it has seen.
import { rougeTokens, tokenize } from "./tokens";

export class Vocabulary {
  readonly tokens: string[] = [];
  private readonly ids = new Map<string, number>();
  /** Lowercased forms, in their own id space. */
  readonly lowercaseTokens: string[] = [];
  private readonly lowercaseIds = new Map<string, number>();
  private readonly lowercaseOf: number[] = [];
  private readonly rougeIds = new Map<string, number>();
  private readonly rougeOf: number[][] = [];

  id(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.tokens.length;
      this.ids.set(token, id);
      this.tokens.push(token);
    }
    return id;
  }

  /** The document's whitespace tokens as ids. */
  encode(doc: string): Int32Array {
    return Int32Array.from(tokenize(doc), (t) => this.id(t));
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
