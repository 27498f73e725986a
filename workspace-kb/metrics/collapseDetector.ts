// Collapse alarm over generations: each generation is measured on an equal-size sample of its own documents
// (generationSample.ts), and each tracked series is compared with its best value since the first measured
// generation — a reference that never forgets, so the alarm stays raised for as long as a collapse lasts. The
// series measure different things (lexical repetition: distinct-2; kernel diversity: Vendi n-gram, the
// effective number of distinct documents; copying: near-duplicate rate), and the alarm needs `minAgreeing` of
// them to have fallen past their collapse threshold. A smaller, steady fall is reported as "converging", not as
// collapse. Error rates of the defaults are measured by `npm run bench:collapse` (README, "Collapse alarm").
import { z } from "zod";
import type { MetricKey } from "./computeMetrics";

const seriesSchema = z.object({
  metric: z.enum(["distinct_2", "vendi_ngram", "near_duplicate_rate"]),
  /** Fall from the best since the start that counts as collapse (relative: fraction of the best; absolute: metric units). */
  collapse: z.number().positive(),
  /** Smaller fall that counts as converging. */
  converge: z.number().positive(),
  mode: z.enum(["relative", "absolute"]),
});

export const collapseDetectorConfigSchema = z
  .object({
    series: z.array(seriesSchema).min(1).default([
      { metric: "distinct_2", collapse: 0.35, converge: 0.15, mode: "relative" },
      { metric: "vendi_ngram", collapse: 0.35, converge: 0.1, mode: "relative" },
      { metric: "near_duplicate_rate", collapse: 0.5, converge: 0.25, mode: "absolute" },
    ]),
    /** Series that must agree (fallen past their collapse threshold) before the alarm is raised. */
    minAgreeing: z.number().int().min(1).default(2),
    /**
     * "Converging" shows after this many consecutive measured generations with at least one series past its
     * converge threshold (and no alarm): a softer signal, so one series suffices, but it must persist.
     */
    convergingFor: z.number().int().min(1).default(3),
  })
  .refine((c) => c.minAgreeing <= c.series.length, { message: "minAgreeing cannot exceed the number of series", path: ["minAgreeing"] })
  .refine((c) => c.series.every((s) => s.converge < s.collapse), { message: "each series' converge threshold must be below its collapse threshold", path: ["series"] });
export type CollapseDetectorConfig = z.output<typeof collapseDetectorConfigSchema>;

/** The metrics the detector needs on each generation's sample. */
export const COLLAPSE_METRICS: MetricKey[] = ["distinct_2", "vendi_ngram", "near_duplicate_rate"];

/** Series for which a higher value means a less diverse sample. */
const LOWER_IS_MORE_DIVERSE = new Set<MetricKey>(["near_duplicate_rate"]);

export interface SeriesReading {
  metric: MetricKey;
  current: number;
  /** Best value since the first measured generation (before this one), and where it was seen. */
  best: number;
  bestGeneration: number;
  /** How far the series moved the wrong way from its best, in its mode (fraction of the best, or metric units). */
  fall: number;
  state: "collapsed" | "converging" | "steady";
}

export interface CollapseVerdict {
  generation: number;
  alarm: boolean;
  converging: boolean;
  readings: SeriesReading[];
  /** Why, in words: each series that fell, by how much, against which generation's best. */
  reasons: string[];
}

export class CollapseDetector {
  readonly config: CollapseDetectorConfig;
  private readonly best = new Map<MetricKey, { value: number; generation: number }>();
  private convergingRun = 0;
  private raised = false;

  constructor(config: z.input<typeof collapseDetectorConfigSchema> = {}) {
    this.config = collapseDetectorConfigSchema.parse(config);
  }

  /** Judge one generation's sample against the best since the start, then let it improve the best. NaN never counts. */
  observe(generation: number, metrics: Partial<Record<MetricKey, number>>): CollapseVerdict {
    const readings: SeriesReading[] = [];
    for (const { metric, collapse, converge, mode } of this.config.series) {
      const current = metrics[metric];
      if (current === undefined || Number.isNaN(current)) continue;
      const best = this.best.get(metric);
      const lowerIsBetter = LOWER_IS_MORE_DIVERSE.has(metric);
      if (best === undefined) {
        this.best.set(metric, { value: current, generation });
        continue;
      }
      const worsening = lowerIsBetter ? current - best.value : best.value - current;
      const fall = mode === "absolute" ? worsening : best.value === 0 ? 0 : worsening / Math.abs(best.value);
      const state = fall >= collapse ? "collapsed" : fall >= converge ? "converging" : "steady";
      readings.push({ metric, current, best: best.value, bestGeneration: best.generation, fall, state });
      if (lowerIsBetter ? current < best.value : current > best.value) this.best.set(metric, { value: current, generation });
    }
    const collapsed = readings.filter((r) => r.state === "collapsed").length;
    const falling = readings.filter((r) => r.state !== "steady").length;
    // Once raised, the alarm holds while one series is still past its collapse threshold and the others still
    // agree it has not recovered (past their converge threshold): a collapse near a threshold does not flicker.
    const alarm = collapsed >= this.config.minAgreeing || (this.raised && collapsed >= 1 && falling >= this.config.minAgreeing);
    this.raised = alarm;
    this.convergingRun = !alarm && falling >= 1 ? this.convergingRun + 1 : 0;
    const converging = this.convergingRun >= this.config.convergingFor;
    const reasons = readings.filter((r) => r.state !== "steady").map(describe);
    if (readings.length === 0) reasons.push("first measured generation: it is the reference");
    else if (alarm) reasons.unshift(collapsed >= this.config.minAgreeing ? `${collapsed} of ${readings.length} series fell past their collapse threshold` : `still raised: ${collapsed} series past its collapse threshold, ${falling} not recovered`);
    else if (converging) reasons.unshift(`diversity has been below its best for ${this.convergingRun} measured generations, short of collapse`);
    return { generation, alarm, converging, readings, reasons };
  }
}

function describe(r: SeriesReading): string {
  const how = r.state === "collapsed" ? "collapse" : "converging";
  const moved = LOWER_IS_MORE_DIVERSE.has(r.metric) ? `rose by ${r.fall.toFixed(2)}` : `fell ${Math.round(r.fall * 100)}%`;
  return `${r.metric} ${r.current.toFixed(3)} ${moved} from its best ${r.best.toFixed(3)} (gen ${r.bestGeneration}): ${how}`;
}
