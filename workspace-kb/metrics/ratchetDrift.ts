// Null drift of the ratchet (METRICS.md "Cultural accumulation": the best held-out solve rate so far). A running
// maximum of noisy rates rises with no true change at all — the more evaluations, the higher. This is how far:
// E[max over the evaluations so far of their with-KB rates] − p̄, when every evaluation's rate is drawn with the
// pooled rate p̄ (binomial, each run independent), estimated by a seeded simulation. A ratchet that rose by no
// more than this says nothing about accumulation.
import { seededRandom } from "../random";

export interface RateTally {
  solved: number;
  runs: number;
}

export function ratchetNullDrift(evaluations: readonly RateTally[], options: { simulations?: number; seed?: number } = {}): number {
  const runs = evaluations.reduce((s, e) => s + e.runs, 0);
  if (evaluations.length === 0 || runs === 0) return Number.NaN;
  const pooled = evaluations.reduce((s, e) => s + e.solved, 0) / runs;
  const simulations = options.simulations ?? 2000;
  const random = seededRandom(options.seed ?? 1);
  let total = 0;
  for (let s = 0; s < simulations; s++) {
    let best = Number.NEGATIVE_INFINITY;
    for (const e of evaluations) {
      if (e.runs === 0) continue;
      let solved = 0;
      for (let i = 0; i < e.runs; i++) if (random.next() < pooled) solved++;
      best = Math.max(best, solved / e.runs);
    }
    total += best;
  }
  return total / simulations - pooled;
}
