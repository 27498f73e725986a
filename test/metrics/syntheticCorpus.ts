// Seeded synthetic corpora with known truth for the metric tests and the benchmark: documents of ~80 words
// drawn from a Zipfian vocabulary (rank r has weight 1/r^1.07, as word frequencies in English roughly do).
import { seededRandom, type Random } from "../../workspace-kb/random";

export interface ZipfCorpusOptions {
  docs: number;
  seed: number;
  meanLength?: number;
  vocabulary?: number;
  /** Prefix every word with this, so two corpora can be made to share no word. */
  wordPrefix?: string;
  /** Write sentences: capitalised first word, a full stop every 8–20 words (as model output reads). */
  sentences?: boolean;
}

export class ZipfWords {
  private readonly cumulative: Float64Array;
  readonly words: string[];

  constructor(vocabulary: number, random: Random, prefix = "") {
    this.cumulative = new Float64Array(vocabulary);
    let total = 0;
    for (let r = 0; r < vocabulary; r++) this.cumulative[r] = total += 1 / (r + 1) ** 1.07;
    for (let r = 0; r < vocabulary; r++) this.cumulative[r]! /= total;
    const letters = "abcdefghijklmnopqrstuvwxyz";
    const seen = new Set<string>();
    this.words = [];
    while (this.words.length < vocabulary) {
      // Frequent words short, rare words longer, as in natural text (about 4.5 letters a running word).
      const length = 1 + Math.min(11, Math.floor(Math.log2(this.words.length + 2) / 1.6) + random.below(3));
      let word = prefix;
      for (let i = 0; i < length; i++) word += letters[random.below(26)];
      if (!seen.has(word)) {
        seen.add(word);
        this.words.push(word);
      }
    }
  }

  sample(random: Random): string {
    const u = random.next();
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo]!;
  }
}

export function zipfCorpus(options: ZipfCorpusOptions): string[] {
  const random = seededRandom(options.seed);
  const words = new ZipfWords(options.vocabulary ?? 20_000, random, options.wordPrefix);
  const meanLength = options.meanLength ?? 80;
  return Array.from({ length: options.docs }, () => {
    const length = Math.max(1, meanLength - 20 + random.below(41));
    const tokens = Array.from({ length }, () => words.sample(random));
    if (options.sentences) {
      let sentenceStart = 0;
      tokens.forEach((token, i) => {
        if (i === sentenceStart) tokens[i] = token[0]!.toUpperCase() + token.slice(1);
        if (i === tokens.length - 1 || (i - sentenceStart >= 7 && random.next() < 0.12)) {
          tokens[i] += ".";
          sentenceStart = i + 1;
        }
      });
    }
    return tokens.join(" ");
  });
}

/** A stream that starts diverse and narrows, after `diverseDocs`, to repeating three fixed documents. */
export function narrowingStream(diverseDocs: number, collapsedDocs: number, seed: number): string[] {
  const diverse = zipfCorpus({ docs: diverseDocs + 3, seed });
  const modes = diverse.slice(diverseDocs);
  return [...diverse.slice(0, diverseDocs), ...Array.from({ length: collapsedDocs }, (_, i) => modes[i % 3]!)];
}

/** A diverse stream whose documents share one fixed template around varying content. */
export function templatedStream(docs: number, seed: number): string[] {
  const random = seededRandom(seed);
  const content = zipfCorpus({ docs, seed: seed + 1, meanLength: 50 });
  return content.map((body, i) => `Problem ${i} solved. Approach: ${body} Result: the answer is ${random.below(1000)}.`);
}
