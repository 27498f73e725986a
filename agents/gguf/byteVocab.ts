// A byte-level SentencePiece ("llama") vocabulary: control tokens, one token per byte (so any text can be
// encoded by byte fallback), plus the printable ASCII characters and "▁" (SentencePiece's space) as ordinary
// tokens, so generated noise decodes to readable characters and JSON grammars have single-token choices.
import { TokenKind } from "./ggufFormat";

export interface Vocabulary {
  tokens: string[];
  scores: number[];
  kinds: number[];
  unk: number;
  bos: number;
  eos: number;
}

export function byteVocabulary(): Vocabulary {
  const tokens: string[] = ["<unk>", "<s>", "</s>"];
  const kinds: number[] = [TokenKind.UNKNOWN, TokenKind.CONTROL, TokenKind.CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    kinds.push(TokenKind.BYTE);
  }
  const printable = ["\u2581"];
  for (let c = 0x21; c <= 0x7e; c++) printable.push(String.fromCharCode(c));
  for (const p of printable) {
    tokens.push(p);
    kinds.push(TokenKind.NORMAL);
  }
  // Scores only rank merges; single characters never merge, so they can all be equal.
  return { tokens, scores: tokens.map(() => 0), kinds, unk: 0, bos: 1, eos: 2 };
}
