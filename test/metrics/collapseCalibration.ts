// Error rates of a collapse detector on streams whose truth is known (collapseStreams.ts): the share of null
// runs (documents shuffled across generations) with any alarm, the share of converging runs (alike but never
// copied) with any alarm, and how many generations after a collapse starts the alarm is first raised — for
// the loop's detector and, side by side, the earlier window-drop signal fed the same per-generation samples.
import { computeMetrics, type MetricKey } from "../../workspace-kb/metrics/computeMetrics";
import { judgeStream } from "../../workspace-kb/metrics/collapseStream";
import { equalSample } from "../../workspace-kb/metrics/generationSample";
import { WindowDropDetector } from "../../workspace-kb/metrics/windowDropDetector";
import { collapsingStream, convergingStream, shuffledAcrossGenerations, type Stream } from "./collapseStreams";

export interface Calibration {
  perGeneration: number;
  generations: number;
  runs: number;
  /** Share of null runs with at least one alarm. */
  nullFalseAlarm: number;
  /** Share of null runs that ever show "converging". */
  nullConverging: number;
  /** Share of converging runs with at least one alarm, and share that show "converging" by their last generation. */
  convergingAlarm: number;
  convergingShown: number;
  /** Generations from the collapse's first copied documents to the first alarm; undefined where it never came. */
  delays: Array<number | undefined>;
  /** Share of fully collapsed generations (after the ramp) on which the alarm is up. */
  collapsedCoverage: number;
}

export type Detector = "collapse" | "window-drop";

const OLD_SERIES: MetricKey[] = ["distinct_2", "compression_ratio", "self_bleu_4", "vendi_ngram"];

/** Per-generation alarm flags of one detector over a stream. */
export function alarms(detector: Detector, stream: Stream, seed: number): { alarm: boolean; converging: boolean }[] {
  if (detector === "collapse") return judgeStream(stream, { seed }).records.map((r) => ({ alarm: r.alarm, converging: r.converging }));
  const size = Math.min(...[...stream.values()].map((d) => d.length));
  const old = new WindowDropDetector();
  return [...stream.entries()].map(([g, docs]) => ({ alarm: old.observe(computeMetrics(equalSample(docs, size, seed + g)!, { metrics: OLD_SERIES })).alarm, converging: false }));
}

export function calibrate(detector: Detector, shape: { perGeneration: number; generations: number; runs: number; modes?: number; seed?: number }): Calibration {
  const { perGeneration, generations, runs } = shape;
  const modes = shape.modes ?? 3;
  const collapseAt = Math.floor(generations / 2);
  const ramp = 3;
  let nullAlarmRuns = 0;
  let nullConvergingRuns = 0;
  let convergingAlarmRuns = 0;
  let convergingShownRuns = 0;
  let collapsedOn = 0;
  let collapsedGenerations = 0;
  const delays: Array<number | undefined> = [];
  for (let run = 0; run < runs; run++) {
    const seed = (shape.seed ?? 1) * 1000 + run;
    const converging = convergingStream({ generations, perGeneration, seed });
    const nullFlags = alarms(detector, shuffledAcrossGenerations(converging, seed + 7), seed);
    if (nullFlags.some((f) => f.alarm)) nullAlarmRuns++;
    if (nullFlags.some((f) => f.converging)) nullConvergingRuns++;
    const convergingFlags = alarms(detector, converging, seed);
    if (convergingFlags.some((f) => f.alarm)) convergingAlarmRuns++;
    if (convergingFlags.at(-1)!.converging) convergingShownRuns++;
    const collapseFlags = alarms(detector, collapsingStream({ generations, perGeneration, seed, modes, collapseAt, ramp }), seed);
    const first = collapseFlags.findIndex((f, g) => g >= collapseAt && f.alarm);
    delays.push(first < 0 ? undefined : first - collapseAt);
    for (let g = collapseAt + ramp - 1; g < generations; g++) {
      collapsedGenerations++;
      if (collapseFlags[g]!.alarm) collapsedOn++;
    }
  }
  return {
    perGeneration, generations, runs,
    nullFalseAlarm: nullAlarmRuns / runs,
    nullConverging: nullConvergingRuns / runs,
    convergingAlarm: convergingAlarmRuns / runs,
    convergingShown: convergingShownRuns / runs,
    delays,
    collapsedCoverage: collapsedOn / collapsedGenerations,
  };
}

/** Median of the delays, counting "never" as infinitely late. */
export function medianDelay(delays: Array<number | undefined>): number {
  const sorted = delays.map((d) => d ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
