// How the metrics split text (METRICS.md "Notation"): runs of whitespace, empty strings dropped, case kept —
// the references' `str.split()`. ROUGE and shingles use their own rules, defined next to them.
export function tokenize(doc: string): string[] {
  const tokens = doc.split(/\s+/);
  if (tokens.length > 0 && tokens[0] === "") tokens.shift();
  if (tokens.length > 0 && tokens[tokens.length - 1] === "") tokens.pop();
  return tokens;
}

/** google-research `rouge_score` tokenization without stemming: lowercase, `[^a-z0-9]+` → space, split. */
export function rougeTokens(doc: string): string[] {
  return tokenize(doc.toLowerCase().replace(/[^a-z0-9]+/g, " "));
}
