// The session's collapse alarm: two collapse detectors (workspace-kb/metrics/collapseDetector.ts), one on each
// generation's new notes and one on the probe's answers, each fed equal-size samples of one generation. The
// probe runs only on evaluation generations; its verdict holds until the next probe, so an alarm it raised does
// not drop in between.
import { CollapseDetector, type CollapseVerdict } from "../../workspace-kb/metrics/collapseDetector";
import { generationSampleMetrics } from "../../workspace-kb/metrics/generationSample";
import { probeCalls } from "./evaluate";
import type { LoopConfig } from "./loopConfig";

export interface CollapseState {
  collapseAlarm: boolean;
  /** A steady loss of diversity short of collapse (never true while the alarm is up). */
  converging: boolean;
  /** Why, per source ("notes: …", "probe: …"); empty when nothing moved. */
  collapseReasons: string[];
}

export class CollapseWatch {
  private readonly notesDetector = new CollapseDetector();
  private readonly probeDetector = new CollapseDetector();
  private probeVerdict?: CollapseVerdict;
  /** Documents measured per generation: every writer's note (one per solver) and every probe answer. */
  readonly notesSample: number;
  readonly probeSample: number;

  constructor(config: LoopConfig, private readonly seed: number) {
    this.notesSample = Math.max(2, config.population.size - config.population.proposers);
    this.probeSample = Math.max(2, probeCalls(config, config.population.size));
  }

  /** Judge this generation: its new notes, and the probe's answers when the probe ran. */
  observe(generation: number, notes: readonly string[], probeAnswers?: readonly string[]): CollapseState {
    const notesMetrics = generationSampleMetrics(notes, this.notesSample, this.seed + generation);
    const notes_ = notesMetrics ? this.notesDetector.observe(generation, notesMetrics) : undefined;
    if (probeAnswers) {
      const probeMetrics = generationSampleMetrics(probeAnswers, this.probeSample, this.seed + generation);
      if (probeMetrics) this.probeVerdict = this.probeDetector.observe(generation, probeMetrics);
    }
    const probe = this.probeVerdict;
    const collapseAlarm = Boolean(notes_?.alarm || probe?.alarm);
    const reasons = [
      ...(notes_ ? notes_.reasons.map((r) => `notes: ${r}`) : [`notes: ${notes.length} new notes, fewer than the ${this.notesSample} measured per generation: not measured`]),
      ...(probe ? probe.reasons.map((r) => `probe (gen ${probe.generation}): ${r}`) : []),
    ];
    return { collapseAlarm, converging: !collapseAlarm && Boolean(notes_?.converging || probe?.converging), collapseReasons: reasons };
  }
}
