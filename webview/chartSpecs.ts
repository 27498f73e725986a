// What each chart draws over generations, with its one-line caption. Pure: a spec turns summaries into columns
// (x = generation, one column per series, null where a generation did not measure it); charts.ts draws them.
import type { GenerationSummary } from "../agents/report/runSummary";

export interface SeriesSpec {
  label: string;
  pick: (g: GenerationSummary) => number | undefined;
  /** Drawn against the right-hand axis (a different unit from the left). */
  right?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What the chart means, in one line. */
  caption: string;
  series: (summaries: readonly GenerationSummary[]) => SeriesSpec[];
  /** Indices of two series drawn as a shaded band (e.g. an interval), not as lines. */
  band?: [number, number];
  /** The left axis always shows 0 (where the reading depends on the sign). */
  zero?: boolean;
}

const metric = (where: "metrics" | "probeMetrics", key: string) => (g: GenerationSummary) => g[where]?.[key];
const ratio = (a: number, b: number) => (b > 0 ? a / b : undefined);
const fixed = (list: SeriesSpec[]) => () => list;

/** The best value up to and including each generation (absent until the first value). */
function runningMax(summaries: readonly GenerationSummary[], read: (g: GenerationSummary) => number | undefined): SeriesSpec["pick"] {
  // Built on the first pick: asking a chart for its series' labels alone costs nothing.
  let best: Map<GenerationSummary, number> | undefined;
  const build = () => {
    const map = new Map<GenerationSummary, number>();
    const sorted = summaries.every((g, i) => i === 0 || summaries[i - 1]!.generation <= g.generation);
    let max: number | undefined;
    for (const g of sorted ? summaries : [...summaries].sort((a, b) => a.generation - b.generation)) {
      const v = read(g);
      if (v !== undefined && Number.isFinite(v)) max = max === undefined ? v : Math.max(max, v);
      if (max !== undefined) map.set(g, max);
    }
    return map;
  };
  return (g) => (best ??= build()).get(g);
}

function diversity(where: "metrics" | "probeMetrics"): SeriesSpec[] {
  return [
    { label: "distinct-1", pick: metric(where, "distinct_1") },
    { label: "distinct-2", pick: metric(where, "distinct_2") },
    { label: "self-BLEU-4", pick: metric(where, "self_bleu_4") },
    { label: "near-duplicate rate", pick: metric(where, "near_duplicate_rate") },
    { label: "compression ratio", pick: metric(where, "compression_ratio"), right: true },
    { label: "Vendi n-gram", pick: metric(where, "vendi_ngram"), right: true },
  ];
}

export const CHARTS: ChartSpec[] = [
  {
    id: "notes-diversity",
    title: "Diversity of the notes (newest window)",
    caption: "Distinct-n and Vendi falling, or self-BLEU, near-duplicates and compression ratio rising, mean the notes are narrowing toward a few modes.",
    series: fixed(diversity("metrics")),
  },
  {
    id: "probe-diversity",
    title: "Collapse probe: answers to fixed open prompts",
    caption: "The same prompts every evaluation, so a drop here is the population itself losing variety, not a change of topic.",
    series: fixed(diversity("probeMetrics")),
  },
  {
    id: "held-out",
    title: "Held-out solve rate, with and without the knowledge base",
    caption: "The same agents on the same code-written problems: the gap between the two lines is what the knowledge base adds; the ratchet is the best so far.",
    series: fixed([
      { label: "with KB", pick: (g) => g.evaluation?.withKb },
      { label: "without KB", pick: (g) => g.evaluation?.withoutKb },
      { label: "ratchet", pick: (g) => g.evaluation?.ratchet },
    ]),
  },
  {
    id: "gain",
    title: "Held-out gain and its 95% interval",
    caption: "Culture is accumulating only when the shaded interval sits wholly above zero.",
    series: fixed([
      { label: "gain", pick: (g) => g.evaluation?.gain },
      { label: "95% low", pick: (g) => g.evaluation?.gainLow },
      { label: "95% high", pick: (g) => g.evaluation?.gainHigh },
    ]),
    band: [1, 2],
    zero: true,
  },
  {
    id: "self-play",
    title: "Self-play: valid proposals and solve rate",
    caption: "Valid share: proposed problems that parsed, ran and were deterministic; solve rate: play attempts answered correctly.",
    series: fixed([
      { label: "valid share", pick: (g) => ratio(g.validProposals, g.proposals) },
      { label: "solve rate", pick: (g) => ratio(g.solved, g.attempts) },
    ]),
  },
  {
    id: "learnability",
    title: "Self-play: learnability of the proposed problems",
    caption: "Mean learnability reward per valid problem (1 − solve share, 0 when every or no solver solved it): high means proposers pose problems at the edge of what the solvers can do.",
    series: fixed([{ label: "learnability", pick: (g) => g.learnability }]),
  },
  {
    id: "difficulty-frontier",
    title: "Self-play: the difficulty frontier (Rasch logits)",
    caption: "Rasch difficulty of each generation's problems as rated right after its play: their mean, the hardest one solved, and the hardest solved so far; a rising frontier means harder problems are being solved.",
    series: (summaries) => [
      { label: "proposed (mean)", pick: (g) => g.proposedDifficulty },
      { label: "hardest solved", pick: (g) => g.hardestSolved },
      { label: "hardest solved so far", pick: runningMax(summaries, (g) => g.hardestSolved) },
    ],
    zero: true,
  },
  {
    id: "refusals",
    title: "Why proposals were refused",
    caption: "Counts of refused proposals per generation by reason; a reason that dominates says what the agents get wrong.",
    series: (summaries) =>
      [...new Set(summaries.flatMap((g) => Object.keys(g.invalidReasons)))].sort().map((reason) => ({ label: reason, pick: (g) => g.invalidReasons[reason] ?? 0 })),
  },
  {
    id: "knowledge-base",
    title: "Knowledge base: what was written and reused",
    caption: "Notes and chapters written each generation, notes archived for disuse, and reuse (share of new notes citing earlier ones, right axis).",
    series: fixed([
      { label: "notes", pick: (g) => g.notesWritten },
      { label: "notes rejected", pick: (g) => g.notesRejected },
      { label: "chapters", pick: (g) => g.chaptersWritten },
      { label: "archived", pick: (g) => g.archived },
      { label: "citation depth", pick: (g) => g.citationDepth },
      { label: "reuse", pick: (g) => g.reuse, right: true },
    ]),
  },
  {
    id: "compute",
    title: "Compute: tokens and speed",
    caption: "Completion tokens per generation, and tokens per second of model-busy time (right axis): a falling speed means a slower or busier machine.",
    series: fixed([
      { label: "completion tokens", pick: (g) => g.completionTokens },
      { label: "tokens/s", pick: (g) => ratio(g.completionTokens * 1000, g.modelBusyMs), right: true },
    ]),
  },
];

export interface ChartColumns {
  labels: string[];
  right: boolean[];
  x: number[];
  ys: (number | null)[][];
}

/** One column per series; values that are missing or not finite become null (a gap, never a 0). */
export function chartColumns(spec: ChartSpec, summaries: readonly GenerationSummary[]): ChartColumns {
  const series = spec.series(summaries);
  return {
    labels: series.map((s) => s.label),
    right: series.map((s) => s.right === true),
    x: summaries.map((g) => g.generation),
    ys: series.map((s) =>
      summaries.map((g) => {
        const v = s.pick(g);
        return v === undefined || !Number.isFinite(v) ? null : v;
      }),
    ),
  };
}
