// A whole stream of generations through the collapse detector: what `culture-lab collapse FILE` prints and what
// bench:collapse measures. The sample size defaults to the smallest generation's document count, so every
// generation is measured on as many documents as every other.
import { CollapseDetector, collapseDetectorConfigSchema, type CollapseVerdict } from "./collapseDetector";
import { generationSampleMetrics, type SampleMetrics } from "./generationSample";
import type { z } from "zod";

export interface GenerationRecord {
  generation: number;
  documents: number;
  /** Documents measured (the sample size), or 0 when the generation had too few to be measured. */
  sampled: number;
  metrics: SampleMetrics;
  alarm: boolean;
  converging: boolean;
  reasons: string[];
}

export interface StreamOptions {
  sampleSize?: number;
  seed?: number;
  detector?: z.input<typeof collapseDetectorConfigSchema>;
}

export function judgeStream(byGeneration: ReadonlyMap<number, readonly string[]>, options: StreamOptions = {}): { sampleSize: number; records: GenerationRecord[] } {
  const generations = [...byGeneration.keys()].sort((a, b) => a - b);
  const sampleSize = options.sampleSize ?? Math.min(...generations.map((g) => byGeneration.get(g)!.length));
  const detector = new CollapseDetector(options.detector);
  const records = generations.map((generation): GenerationRecord => {
    const docs = byGeneration.get(generation)!;
    const metrics = sampleSize >= 2 ? generationSampleMetrics(docs, sampleSize, (options.seed ?? 1) + generation) : undefined;
    if (!metrics) {
      const why = `only ${docs.length} documents; the sample size is ${sampleSize}${sampleSize < 2 ? " (at least 2 are needed)" : ""}: not measured`;
      return { generation, documents: docs.length, sampled: 0, metrics: {}, alarm: false, converging: false, reasons: [why] };
    }
    const verdict: CollapseVerdict = detector.observe(generation, metrics);
    return { generation, documents: docs.length, sampled: sampleSize, metrics, alarm: verdict.alarm, converging: verdict.converging, reasons: verdict.reasons };
  });
  return { sampleSize, records };
}
