// Ratchet = the best held-out solve rate (with the knowledge base) reached so far, generation by generation
// (METRICS.md "Cultural accumulation"): it can only rise, and a flat ratchet means nothing new was kept.
import type { EvaluationResult } from "./heldOutGain";

export interface RatchetPoint {
  generation: number;
  /** This generation's held-out solve rate with the knowledge base. */
  solveRate: number;
  /** Best solve rate of any generation up to and including this one. */
  ratchet: number;
}

export function ratchet(results: readonly EvaluationResult[]): RatchetPoint[] {
  const byGeneration = new Map<number, [number, number]>();
  for (const r of results) {
    if (!r.withKb) continue;
    const row = byGeneration.get(r.generation) ?? [0, 0];
    row[0]++;
    row[1] += Number(r.solved);
    byGeneration.set(r.generation, row);
  }
  let best = Number.NEGATIVE_INFINITY;
  return [...byGeneration.entries()]
    .sort(([a], [b]) => a - b)
    .map(([generation, [runs, solved]]) => {
      const solveRate = solved / runs;
      best = Math.max(best, solveRate);
      return { generation, solveRate, ratchet: best };
    });
}
