// What a sliding-window panel computes each round: the window's metrics, and the window-drop verdict
// (windowDropDetector.ts) once the window is full (earlier windows are smaller and not comparable). The loop's
// collapse alarm is collapseDetector.ts, on per-generation samples. One config object, validated, feeds both.
import { z } from "zod";
import { WindowDropDetector, windowDropConfigSchema, type WindowDropVerdict } from "./windowDropDetector";
import { MetricsWindow, metricsWindowConfigSchema, windowForms, type PanelMetrics } from "./metricsWindow";
import type { MetricKey } from "./computeMetrics";

export const culturePanelConfigSchema = z.object({
  window: metricsWindowConfigSchema.default(metricsWindowConfigSchema.parse({})),
  collapse: windowDropConfigSchema.default(windowDropConfigSchema.parse({})),
});
export type CulturePanelConfig = z.output<typeof culturePanelConfigSchema>;

export interface PanelUpdate {
  metrics: PanelMetrics;
  /** Documents seen so far, and how many of the most recent the metrics cover. */
  documentCount: number;
  windowSize: number;
  /** Undefined until the window is full. */
  verdict?: WindowDropVerdict;
}

export class CulturePanel {
  readonly config: CulturePanelConfig;
  private readonly window: MetricsWindow;
  private readonly detector: WindowDropDetector;

  constructor(config: z.input<typeof culturePanelConfigSchema> = {}) {
    this.config = culturePanelConfigSchema.parse(config);
    this.window = new MetricsWindow(this.config.window);
    this.detector = new WindowDropDetector(this.config.collapse);
  }

  /** Which documents each metric covers (e.g. "last 500 docs"), to show beside the numbers. */
  get forms(): Record<MetricKey, string> {
    return windowForms(this.config.window);
  }

  /** A round of new documents (optionally with embeddings, for vendi_embedding). */
  add(docs: readonly string[], embeddings?: readonly ArrayLike<number>[]): PanelUpdate {
    const metrics = this.window.add(docs, embeddings);
    const update: PanelUpdate = { metrics, documentCount: this.window.documentCount, windowSize: this.window.windowDocuments.length };
    if (this.window.isFull) update.verdict = this.detector.observe(metrics);
    return update;
  }
}
