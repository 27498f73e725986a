// What a run reports per generation: the figures the HTML report and the panel draw. Built by the loop from the
// knowledge base's records; plain data so it can cross the engine's JSON-RPC boundary unchanged.
import type { ResearchView } from "./researchView";

export interface EvaluationSummary {
  withKb: number;
  withoutKb: number;
  gain: number;
  /** Bootstrap 95% interval of the gain. */
  gainLow: number;
  gainHigh: number;
  ratchet: number;
}

export interface GenerationSummary {
  generation: number;
  proposals: number;
  validProposals: number;
  /** Reasons invalid proposals were refused, with counts (e.g. "syntax": 3). */
  invalidReasons: Record<string, number>;
  attempts: number;
  solved: number;
  notesWritten: number;
  notesRejected: number;
  chaptersWritten: number;
  archived: number;
  reuse: number;
  citationDepth: number;
  /** Diversity metrics of METRICS.md over the notes window, keyed exactly as there. */
  metrics: Record<string, number>;
  /** Metrics over the collapse probe's answers, when the probe ran this generation. */
  probeMetrics?: Record<string, number>;
  evaluation?: EvaluationSummary;
  collapseAlarm: boolean;
  completionTokens: number;
  wallMs: number;
  /** Wall time during which some model call was in flight (the union over concurrent agents). */
  modelBusyMs: number;
  /** The loop's own work by phase: verify (sandbox), retrieval, metrics, commit. */
  phaseMs: Record<string, number>;
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  model: { name: string; sha256: string; parameters: number; isNoise: boolean };
  /** Plain-language statements the reader must see first (e.g. "the tiny model's output is noise"). */
  caveats: string[];
  generations: GenerationSummary[];
  /** What the agents wrote and did (samples, refusals, per-agent table), when built from the run's records. */
  view?: ResearchView;
}
