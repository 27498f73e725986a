// Seeded multi-generation streams whose truth is known, for the collapse detector's tests and bench:collapse.
// Documents are sentences of Zipfian words (syntheticCorpus.ts), ~80 words as model-written stories are.
//  - converging: each generation writes a growing share of its text in stock phrases of one shared theme, so
//    documents grow alike (distinct-n and Vendi fall) but each is composed independently — no near-duplicates.
//    This is the gradual convergence LLM populations show (Perez et al. 2024), not a collapse.
//  - null: the documents of a stream shuffled across generations, so nothing changes over time.
//  - collapsing: diverse, then over `ramp` generations the documents become lightly edited copies of `modes`
//    stories (3% of words replaced), until every document is one.
import { seededRandom, type Random } from "../../workspace-kb/random";
import { ZipfWords, zipfCorpus } from "./syntheticCorpus";

export type Stream = Map<number, string[]>;

export interface StreamShape {
  generations: number;
  perGeneration: number;
  seed: number;
}

function sentence(words: string[], random: Random): string {
  let start = 0;
  return words
    .map((w, i) => {
      let out = i === start ? w[0]!.toUpperCase() + w.slice(1) : w;
      if (i === words.length - 1 || (i - start >= 7 && random.next() < 0.12)) {
        out += ".";
        start = i + 1;
      }
      return out;
    })
    .join(" ");
}

export function convergingStream(shape: StreamShape & { finalThemeShare?: number; themePhrases?: number }): Stream {
  const random = seededRandom(shape.seed);
  const all = new ZipfWords(20_000, random);
  // Stock phrases of the shared theme: documents reuse them in their own order, between their own words.
  const phrases = Array.from({ length: shape.themePhrases ?? 60 }, () => Array.from({ length: 4 + random.below(4) }, () => all.sample(random)));
  const final = shape.finalThemeShare ?? 0.7;
  const stream: Stream = new Map();
  for (let g = 0; g < shape.generations; g++) {
    const share = shape.generations === 1 ? final : (final * g) / (shape.generations - 1);
    stream.set(g, Array.from({ length: shape.perGeneration }, () => {
      const length = 60 + random.below(41);
      const words: string[] = [];
      while (words.length < length) {
        if (random.next() < share) words.push(...random.pick(phrases));
        else for (let i = 0; i < 5; i++) words.push(all.sample(random));
      }
      return sentence(words, random);
    }));
  }
  return stream;
}

/** The stream's documents dealt out again at random, as many per generation as before. */
export function shuffledAcrossGenerations(stream: Stream, seed: number): Stream {
  const random = seededRandom(seed);
  const docs = [...stream.values()].flat();
  for (let i = docs.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [docs[i], docs[j]] = [docs[j]!, docs[i]!];
  }
  const out: Stream = new Map();
  let at = 0;
  for (const [g, gen] of stream) {
    out.set(g, docs.slice(at, at + gen.length));
    at += gen.length;
  }
  return out;
}

export function collapsingStream(shape: StreamShape & { modes: number; collapseAt: number; ramp?: number }): Stream {
  const random = seededRandom(shape.seed);
  const ramp = shape.ramp ?? 3;
  const diverse = zipfCorpus({ docs: shape.generations * shape.perGeneration + shape.modes, seed: shape.seed + 1, sentences: true });
  const stories = diverse.slice(0, shape.modes);
  const editWords = diverse.slice(shape.modes).join(" ").split(" ");
  const copy = (story: string) => story.split(" ").map((w) => (random.next() < 0.03 ? random.pick(editWords) : w)).join(" ");
  const stream: Stream = new Map();
  let next = shape.modes;
  for (let g = 0; g < shape.generations; g++) {
    const copied = Math.min(1, Math.max(0, (g - shape.collapseAt + 1) / ramp));
    stream.set(g, Array.from({ length: shape.perGeneration }, () => (random.next() < copied ? copy(random.pick(stories)) : diverse[next++]!)));
  }
  return stream;
}
