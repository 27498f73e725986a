// Words for BM25: lower-cased runs of letters and digits (any script), without English stop words, which
// carry no signal and would make the postings of every query long. No stemming: kept simple and predictable.
const STOP_WORDS = new Set(
  ("a an and are as at be but by for from has have he her his i if in into is it its of on or our she so " +
    "than that the their them then there these they this to was we were what when which who will with you your")
    .split(" "),
);

const WORD = /[\p{L}\p{N}]+/gu;

export function tokenize(text: string): string[] {
  const words: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    if (word.length < 2 || word.length > 40 || STOP_WORDS.has(word)) continue;
    words.push(word);
  }
  return words;
}

/** Term → how often it occurs; the title counts twice, since a title names what the entry is about. */
export function termFrequencies(title: string, text: string): { terms: Map<string, number>; length: number } {
  const terms = new Map<string, number>();
  const titleWords = tokenize(title);
  const textWords = tokenize(text);
  for (const word of titleWords) terms.set(word, (terms.get(word) ?? 0) + 2);
  for (const word of textWords) terms.set(word, (terms.get(word) ?? 0) + 1);
  return { terms, length: 2 * titleWords.length + textWords.length };
}
