// Equal-size, one-generation samples for the collapse detector: distinct-n, Vendi and the near-duplicate rate
// all move with the number of documents by themselves, and a window spanning several generations counts a
// child copying its parent as a near-duplicate. So each generation is measured alone, on exactly `size` of its
// documents (a seeded uniform choice when it has more); a generation with fewer is not measured.
import { seededRandom } from "../random";
import { computeMetrics, type MetricKey } from "./computeMetrics";
import { COLLAPSE_METRICS } from "./collapseDetector";

export type SampleMetrics = Partial<Record<MetricKey, number>>;

/** `size` of `docs`, chosen uniformly without replacement by a seeded draw (order kept); undefined when too few. */
export function equalSample(docs: readonly string[], size: number, seed: number): string[] | undefined {
  if (docs.length < size) return undefined;
  if (docs.length === size) return [...docs];
  const random = seededRandom(seed);
  const indices = docs.map((_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + random.below(indices.length - i);
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices.slice(0, size).sort((a, b) => a - b).map((i) => docs[i]!);
}

/** The detector's metrics over one generation's equal-size sample, or undefined when the generation has too few documents. */
export function generationSampleMetrics(docs: readonly string[], size: number, seed: number): SampleMetrics | undefined {
  const sample = equalSample(docs, size, seed);
  return sample ? computeMetrics(sample, { metrics: COLLAPSE_METRICS }) : undefined;
}
