// Held-out gain G_k = solve rate of generation k's agents on the fixed held-out bank *with* the knowledge base
// − the same agents, same seeds, *without* it (METRICS.md "Cultural accumulation"), with a 95% interval from
// a seeded bootstrap that resamples problems (runs of one problem share its difficulty, so they move together).
import { seededRandom } from "../random";

export interface EvaluationResult {
  problemId: string;
  generation: number;
  /** Agent that ran, when several agents of a generation are evaluated; part of the pairing key. */
  agentId?: string;
  seed: number;
  withKb: boolean;
  solved: boolean;
}

export interface HeldOutGain {
  generation: number;
  /** Solve rates over the paired runs. */
  withKb: number;
  withoutKb: number;
  gain: number;
  /** Bootstrap percentile interval for the gain. */
  low: number;
  high: number;
  /** Paired runs (same problem, agent and seed, with and without the knowledge base) and problems they cover. */
  pairs: number;
  problems: number;
  /** Runs of this generation without their twin; they are left out of every figure above. */
  unpaired: number;
}

export interface BootstrapOptions {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

export function heldOutGain(results: readonly EvaluationResult[], generation: number, options: BootstrapOptions = {}): HeldOutGain {
  const twins = new Map<string, { problemId: string; with?: boolean; without?: boolean }>();
  let runs = 0;
  for (const r of results) {
    if (r.generation !== generation) continue;
    runs++;
    const key = JSON.stringify([r.problemId, r.agentId ?? "", r.seed]);
    const entry = twins.get(key) ?? { problemId: r.problemId };
    if (r.withKb) entry.with = r.solved;
    else entry.without = r.solved;
    twins.set(key, entry);
  }
  // Per problem: paired runs, solved with, solved without.
  const perProblem = new Map<string, [number, number, number]>();
  let pairs = 0;
  for (const t of twins.values()) {
    if (t.with === undefined || t.without === undefined) continue;
    pairs++;
    const row = perProblem.get(t.problemId) ?? [0, 0, 0];
    row[0]++;
    row[1] += Number(t.with);
    row[2] += Number(t.without);
    perProblem.set(t.problemId, row);
  }
  const rows = [...perProblem.values()];
  const rates = (sample: readonly [number, number, number][]) => {
    let n = 0;
    let withKb = 0;
    let withoutKb = 0;
    for (const [count, w, wo] of sample) {
      n += count;
      withKb += w;
      withoutKb += wo;
    }
    return { withKb: withKb / n, withoutKb: withoutKb / n };
  };
  const point = rates(rows);
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const random = seededRandom(options.seed ?? 1);
  const gains = new Float64Array(rows.length === 0 ? 0 : resamples);
  for (let b = 0; b < gains.length; b++) {
    const sample = Array.from({ length: rows.length }, () => rows[random.below(rows.length)]!);
    const r = rates(sample);
    gains[b] = r.withKb - r.withoutKb;
  }
  gains.sort();
  const tail = (1 - confidence) / 2;
  return {
    generation,
    withKb: point.withKb,
    withoutKb: point.withoutKb,
    gain: point.withKb - point.withoutKb,
    low: quantile(gains, tail),
    high: quantile(gains, 1 - tail),
    pairs,
    problems: rows.length,
    unpaired: runs - 2 * pairs,
  };
}

/** G_k for every generation present, in generation order. */
export function heldOutGainByGeneration(results: readonly EvaluationResult[], options: BootstrapOptions = {}): HeldOutGain[] {
  const generations = [...new Set(results.map((r) => r.generation))].sort((a, b) => a - b);
  return generations.map((g) => heldOutGain(results, g, options));
}

/** Linear-interpolated quantile of sorted values (NumPy's default); NaN when there are none. */
function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = p * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (at - below) * (sorted[above]! - sorted[below]!);
}
