// The loop's records turned into the accumulation figures of METRICS.md, computed by workspace-kb/metrics.
import type { Entry } from "../../workspace-kb/schema";
import { heldOutGain } from "../../workspace-kb/metrics/heldOutGain";
import { citationStats } from "../../workspace-kb/metrics/noteCitations";
import { ratchetNullDrift, type RateTally } from "../../workspace-kb/metrics/ratchetDrift";
import type { EvaluationSummary } from "../report/runSummary";
import type { HeldOutResult } from "./evaluate";

/**
 * Gain with its bootstrap interval and the smallest gain it could detect, and the ratchet (best with-KB solve
 * rate so far) with its null drift over `history` — the with-KB tallies of earlier evaluations, to which this
 * one's is appended. In a control run without knowledge-base access there are no pairs: the gain is NaN and only
 * the without-KB rate is reported.
 */
export function summarizeEvaluation(results: HeldOutResult[], generation: number, previousRatchet: number, seed: number, history: RateTally[] = []): EvaluationSummary {
  const paired = heldOutGain(results.map((r) => ({ ...r, generation, seed: 0 })), generation, { seed });
  const withoutKb = paired.pairs > 0 ? paired.withoutKb : rate(results.filter((r) => !r.withKb));
  const ratchet = Number.isFinite(paired.withKb) ? Math.max(previousRatchet, paired.withKb) : previousRatchet;
  const withKb = results.filter((r) => r.withKb);
  if (withKb.length > 0) history.push({ solved: withKb.filter((r) => r.solved).length, runs: withKb.length });
  const detectableGain = ((1.96 + 0.84) * (paired.high - paired.low)) / (2 * 1.96);
  return {
    withKb: paired.withKb, withoutKb, gain: paired.gain, gainLow: paired.low, gainHigh: paired.high,
    detectableGain, pairs: paired.pairs,
    ratchet, ratchetNullDrift: ratchetNullDrift(history, { seed }),
  };
}

/** Reuse and citation depth of the notes, chapters and human notes written in `generation`. */
export function lineageFigures(entriesInCreationOrder: readonly Entry[], generation: number): { reuse: number; citationDepth: number } {
  const row = citationStats(entriesInCreationOrder).find((s) => s.generation === generation);
  return row ? { reuse: row.reuse, citationDepth: row.citationDepth } : { reuse: 0, citationDepth: 0 };
}

function rate(results: HeldOutResult[]): number {
  return results.length === 0 ? Number.NaN : results.filter((r) => r.solved).length / results.length;
}
