// Which condition did better, with the uncertainty said: each condition's curves over generations with their
// spread over seeds, and its held-out solve rate paired against the control's — the same seed (so the same
// held-out bank) and the same problem — with a seeded bootstrap interval over (seed, problem) pairs.
import { seededRandom } from "../../workspace-kb/random";
import type { GenerationSummary } from "../report/runSummary";
import type { LoopConfig } from "../loop/loopConfig";

/** One finished run of the experiment, as the comparison needs it. */
export interface ExperimentRun {
  condition: string;
  seed: number;
  runId: string;
  /** Relative to the experiment's folder: where the run's workspace (with its own knowledge base) is. */
  workspace: string;
  generations: GenerationSummary[];
  /** What the run's own report says first (e.g. that its model's output is noise). */
  caveats: string[];
  /** Held-out problem id → share of agents that solved it at the run's last evaluation, in the arm the condition plays. */
  heldOut: Record<string, number>;
}

export interface SeriesBand {
  /** The generation's place in the run, from 1. */
  ordinal: number;
  mean: number;
  min: number;
  max: number;
  runs: number;
}

/** What the curves show, each read from a generation's figures (undefined: not measured that generation). */
export const CURVES: ReadonlyArray<{ key: string; label: string; read: (g: GenerationSummary) => number | undefined }> = [
  { key: "heldOutWithKb", label: "held-out solve rate with the knowledge base", read: (g) => g.evaluation?.withKb },
  { key: "heldOutWithoutKb", label: "held-out solve rate without it", read: (g) => g.evaluation?.withoutKb },
  { key: "gain", label: "held-out gain", read: (g) => g.evaluation?.gain },
  { key: "playSolveRate", label: "solve rate in play", read: (g) => (g.attempts > 0 ? g.solved / g.attempts : undefined) },
  { key: "validShare", label: "share of proposals valid", read: (g) => (g.proposals > 0 ? g.validProposals / g.proposals : undefined) },
  { key: "distinct2", label: "distinct-2 of notes", read: (g) => g.metrics.distinct_2 },
  { key: "collapseAlarm", label: "collapse alarm raised", read: (g) => (g.collapseAlarm ? 1 : 0) },
];

export interface ConditionComparison {
  condition: string;
  isControl: boolean;
  seeds: number[];
  curves: Record<string, SeriesBand[]>;
  /** The held-out solve rate the condition plays with, at each run's last evaluation: mean over its runs. */
  heldOut: number;
  /** Against the control: mean paired difference of held-out solve rates and its 95% bootstrap interval. */
  versusControl?: { difference: number; low: number; high: number; pairs: number };
  collapseAlarms: number;
}

export interface ExperimentComparison {
  control: string;
  conditions: ConditionComparison[];
  /** Settings whose value differs between conditions: dotted path → value per condition. */
  differences: Array<{ setting: string; values: Record<string, unknown> }>;
  /** One sentence per condition against the control, for the console and the top of the report. */
  verdicts: string[];
}

const BOOTSTRAP_SAMPLES = 2000;

export function compareExperiment(runs: ExperimentRun[], control: string, configs: Record<string, LoopConfig>, seed = 1): ExperimentComparison {
  const byCondition = new Map<string, ExperimentRun[]>();
  for (const run of runs) byCondition.set(run.condition, [...(byCondition.get(run.condition) ?? []), run]);
  const controlRuns = byCondition.get(control) ?? [];
  const conditions: ConditionComparison[] = [...byCondition.entries()].map(([condition, own]) => {
    const curves = Object.fromEntries(CURVES.map((c) => [c.key, bands(own, c.read)]));
    const heldOut = mean(own.map((r) => mean(Object.values(r.heldOut))));
    const comparison: ConditionComparison = {
      condition,
      isControl: condition === control,
      seeds: own.map((r) => r.seed),
      curves,
      heldOut,
      collapseAlarms: own.reduce((n, r) => n + r.generations.filter((g) => g.collapseAlarm).length, 0),
    };
    if (condition !== control) comparison.versusControl = pairedDifference(own, controlRuns, seed);
    return comparison;
  });
  return { control, conditions, differences: configDifferences(configs), verdicts: conditions.filter((c) => !c.isControl).map((c) => verdict(c, control)) };
}

/** Differences of the same problem under the same seed, resampled as pairs. */
export function pairedDifference(runs: ExperimentRun[], controlRuns: ExperimentRun[], seed: number): { difference: number; low: number; high: number; pairs: number } {
  const diffs: number[] = [];
  for (const run of runs) {
    const paired = controlRuns.find((c) => c.seed === run.seed);
    if (!paired) continue;
    for (const [problem, rate] of Object.entries(run.heldOut)) {
      const other = paired.heldOut[problem];
      if (other !== undefined) diffs.push(rate - other);
    }
  }
  if (diffs.length === 0) return { difference: Number.NaN, low: Number.NaN, high: Number.NaN, pairs: 0 };
  const random = seededRandom(seed);
  const means: number[] = [];
  for (let b = 0; b < BOOTSTRAP_SAMPLES; b++) {
    let sum = 0;
    for (let i = 0; i < diffs.length; i++) sum += diffs[random.below(diffs.length)]!;
    means.push(sum / diffs.length);
  }
  means.sort((a, b) => a - b);
  return { difference: mean(diffs), low: means[Math.floor(0.025 * BOOTSTRAP_SAMPLES)]!, high: means[Math.ceil(0.975 * BOOTSTRAP_SAMPLES) - 1]!, pairs: diffs.length };
}

function verdict(c: ConditionComparison, control: string): string {
  const v = c.versusControl;
  if (!v || v.pairs === 0) return `${c.condition}: no held-out evaluation to compare with ${control}.`;
  const fmt = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
  const interval = `${fmt(v.difference)} (95% CI ${fmt(v.low)}..${fmt(v.high)}, ${v.pairs} paired problems)`;
  if (v.low > 0) return `${c.condition} solved more held-out problems than ${control}: ${interval}.`;
  if (v.high < 0) return `${c.condition} solved fewer held-out problems than ${control}: ${interval}.`;
  return `${c.condition} vs ${control}: no measurable difference, ${interval}.`;
}

function bands(runs: ExperimentRun[], read: (g: GenerationSummary) => number | undefined): SeriesBand[] {
  const longest = Math.max(0, ...runs.map((r) => r.generations.length));
  const out: SeriesBand[] = [];
  for (let i = 0; i < longest; i++) {
    const values = runs.map((r) => (r.generations[i] ? read(r.generations[i]!) : undefined)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (values.length === 0) continue;
    out.push({ ordinal: i + 1, mean: mean(values), min: Math.min(...values), max: Math.max(...values), runs: values.length });
  }
  return out;
}

/** Settings that differ between conditions (the seed aside, which pairs runs rather than telling them apart). */
function configDifferences(configs: Record<string, LoopConfig>): Array<{ setting: string; values: Record<string, unknown> }> {
  const flat = Object.fromEntries(Object.entries(configs).map(([name, config]) => [name, flatten(config as unknown as Record<string, unknown>)]));
  const paths = new Set(Object.values(flat).flatMap((f) => Object.keys(f)));
  const out: Array<{ setting: string; values: Record<string, unknown> }> = [];
  for (const path of [...paths].sort()) {
    if (path === "seed") continue;
    const values = Object.fromEntries(Object.entries(flat).map(([name, f]) => [name, f[path]]));
    if (new Set(Object.values(values).map((v) => JSON.stringify(v))).size > 1) out.push({ setting: path, values });
  }
  return out;
}

function flatten(value: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (typeof v === "object" && v !== null && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, path));
    else out[path] = v;
  }
  return out;
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
