// The panel's earlier "window drop" signal, kept for the sliding-window CulturePanel and as the baseline that
// bench:collapse measures the loop's collapse detector (collapseDetector.ts) against: for each tracked series,
// compare the current window with its best value over the previous `history` windows; flag when at least
// `minFalling` series have fallen by more than their threshold. Its error rates are poor (it forgets a collapse
// after `history` windows and three of its four series measure repetition): the loop no longer uses it.
import { z } from "zod";
import { METRIC_KEYS, type MetricKey } from "./computeMetrics";

/** Metrics for which a higher value means a less diverse corpus. */
export const LOWER_IS_MORE_DIVERSE: ReadonlySet<MetricKey> = new Set<MetricKey>([
  "compression_ratio",
  "self_repetition",
  "self_bleu_3",
  "self_bleu_4",
  "homogenization_rougel",
  "near_duplicate_rate",
]);

const seriesSchema = z.object({
  metric: z.enum(METRIC_KEYS),
  /** How far the series must move the wrong way from its best before it counts as falling. */
  threshold: z.number().positive(),
  /** "relative": change / |best|; "absolute": change in the metric's own units (for values near 0, e.g. self-BLEU). */
  mode: z.enum(["relative", "absolute"]),
});

export const windowDropConfigSchema = z.object({
  series: z.array(seriesSchema).min(1).default([
    { metric: "distinct_2", threshold: 0.2, mode: "relative" },
    { metric: "compression_ratio", threshold: 0.2, mode: "relative" },
    { metric: "self_bleu_4", threshold: 0.1, mode: "absolute" },
    { metric: "vendi_ngram", threshold: 0.3, mode: "relative" },
  ]),
  /** W: the running best is taken over this many previous windows. */
  history: z.number().int().min(1).default(10),
  /** Series that must fall together before the alarm is raised. */
  minFalling: z.number().int().min(1).default(2),
});
export type WindowDropConfig = z.output<typeof windowDropConfigSchema>;

export interface FallingSeries {
  metric: MetricKey;
  best: number;
  current: number;
  /** How far it moved the wrong way, in the series' mode (relative fraction or metric units). */
  fall: number;
}

export interface WindowDropVerdict {
  alarm: boolean;
  falling: FallingSeries[];
}

export class WindowDropDetector {
  readonly config: WindowDropConfig;
  private readonly past: Partial<Record<MetricKey, number>>[] = [];

  constructor(config: z.input<typeof windowDropConfigSchema> = {}) {
    this.config = windowDropConfigSchema.parse(config);
  }

  /** Judge the current window against the previous ones, then remember it. NaN values never count as falling. */
  observe(metrics: Partial<Record<MetricKey, number>>): WindowDropVerdict {
    const falling: FallingSeries[] = [];
    for (const { metric, threshold, mode } of this.config.series) {
      const current = metrics[metric];
      const history = this.past.map((m) => m[metric]).filter((v): v is number => v !== undefined && !Number.isNaN(v));
      if (current === undefined || Number.isNaN(current) || history.length === 0) continue;
      const lowerIsBetter = LOWER_IS_MORE_DIVERSE.has(metric);
      const best = lowerIsBetter ? Math.min(...history) : Math.max(...history);
      const worsening = lowerIsBetter ? current - best : best - current;
      const fall = mode === "absolute" ? worsening : best === 0 ? (worsening > 0 ? Number.POSITIVE_INFINITY : 0) : worsening / Math.abs(best);
      if (fall > threshold) falling.push({ metric, best, current, fall });
    }
    this.past.push(metrics);
    if (this.past.length > this.config.history) this.past.shift();
    return { alarm: falling.length >= this.config.minFalling, falling };
  }
}
