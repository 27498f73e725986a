// Where a session is inside a generation: the phase, its model calls done of expected, and how long is left.
// A real model spends minutes in one generation; without this a person cannot tell a slow run from a stuck one.
// `ask` ticks every finished call; the loop names each phase and how many calls it expects as it starts one.
import type { Phase, SessionProgress } from "../report/sessionProgress";

export interface ProgressPlan {
  firstGeneration: number;
  generations: number;
  /** Whether the session's n-th generation (1-based) ends with a held-out evaluation and the probe. */
  evaluates: (ordinal: number) => boolean;
  /** Calls one evaluation makes (held-out answers and probe answers), to estimate one before any has run. */
  evaluationCalls: number;
}

const EVALUATION_PHASES: ReadonlySet<Phase> = new Set(["evaluating", "probing"]);

/**
 * The time left is the generations' play parts at their mean so far, plus the evaluations still due at their
 * mean (or, before the first, their calls at the session's time per call): evaluation generations are many
 * times longer than play ones, so one mean over both would promise "0 s left" before every evaluation.
 */
export class ProgressTracker {
  private generation = 0;
  private ordinal = 0;
  private generationStarted = 0;
  private evaluationStarted: number | undefined;
  private readonly playMs: number[] = [];
  private readonly evaluationMs: number[] = [];
  private calls = 0;
  /** Calls of the generations finished so far: the time per call is measured over whole generations. */
  private finishedCalls = 0;
  private phaseName: Phase = "proposing";
  private phaseStarted = 0;
  private done = 0;
  private total: number | undefined;
  private phaseOpen = false;
  /** Calls and wall time of the solving phases so far: held-out answers are solver calls, so an evaluation is estimated at their pace. */
  private readonly solving = { calls: 0, ms: 0 };

  constructor(
    private readonly plan: ProgressPlan,
    private readonly emit: (progress: SessionProgress) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  startGeneration(generation: number): void {
    this.generation = generation;
    this.ordinal = generation - this.plan.firstGeneration + 1;
    this.generationStarted = this.now();
    this.evaluationStarted = undefined;
  }

  phase(name: Phase, callsTotal?: number): void {
    const now = this.now();
    this.closePhase(now);
    if (EVALUATION_PHASES.has(name) && this.evaluationStarted === undefined) {
      this.evaluationStarted = now;
      this.playMs.push(now - this.generationStarted);
    }
    this.phaseName = name;
    this.phaseOpen = true;
    this.phaseStarted = now;
    this.done = 0;
    this.total = callsTotal;
    this.emit(this.snapshot());
  }

  callDone(): void {
    this.done++;
    this.calls++;
    this.emit(this.snapshot());
  }

  generationDone(): void {
    const now = this.now();
    this.closePhase(now);
    if (this.evaluationStarted === undefined) this.playMs.push(now - this.generationStarted);
    else this.evaluationMs.push(now - this.evaluationStarted);
    this.finishedCalls = this.calls;
  }

  /** The phase in play ends: a solving phase adds its calls and time to what an evaluation is estimated from. */
  private closePhase(now: number): void {
    if (this.phaseName === "solving" && this.phaseOpen && this.done > 0) {
      this.solving.calls += this.done;
      this.solving.ms += now - this.phaseStarted;
    }
    this.phaseOpen = false;
  }

  snapshot(): SessionProgress {
    const now = this.now();
    const progress: SessionProgress = {
      generation: this.generation,
      ordinal: this.ordinal,
      generations: this.plan.generations,
      phase: this.phaseName,
      callsDone: this.done,
      ...(this.total !== undefined ? { callsTotal: this.total } : {}),
    };
    if (this.total !== undefined && this.done > 0) {
      progress.phaseEtaMs = Math.max(0, ((now - this.phaseStarted) / this.done) * (this.total - this.done));
    }
    const eta = this.sessionEta(now);
    if (eta !== undefined) progress.etaMs = Math.max(eta, progress.phaseEtaMs ?? 0);
    return progress;
  }

  private sessionEta(now: number): number | undefined {
    if (this.playMs.length === 0) return undefined;
    const meanPlay = mean(this.playMs);
    const perEvaluation = this.evaluationMs.length > 0 ? mean(this.evaluationMs) : this.callsPerMs() > 0 ? this.plan.evaluationCalls / this.callsPerMs() : undefined;
    const inEvaluation = this.evaluationStarted !== undefined;
    let left = inEvaluation ? 0 : Math.max(0, meanPlay - (now - this.generationStarted));
    let evaluationsLeft = 0;
    if (this.plan.evaluates(this.ordinal)) {
      if (inEvaluation) left += Math.max(0, (perEvaluation ?? 0) - (now - this.evaluationStarted!));
      else evaluationsLeft++;
    }
    for (let ordinal = this.ordinal + 1; ordinal <= this.plan.generations; ordinal++) {
      left += meanPlay;
      if (this.plan.evaluates(ordinal)) evaluationsLeft++;
    }
    if (evaluationsLeft > 0) {
      if (perEvaluation === undefined) return undefined;
      left += evaluationsLeft * perEvaluation;
    }
    return left;
  }

  /**
   * Calls finished per millisecond: of the solving phases so far, else of the generations finished so far. A
   * proposal or a note is longer than an answer (measured on SmolLM2-135M: 128 and 79 completion tokens against
   * 91), so the pace of all play calls misjudges an evaluation of answers.
   */
  private callsPerMs(): number {
    if (this.solving.calls > 0 && this.solving.ms > 0) return this.solving.calls / this.solving.ms;
    const spent = this.playMs.reduce((a, b) => a + b, 0) + this.evaluationMs.reduce((a, b) => a + b, 0);
    return spent > 0 ? this.finishedCalls / spent : 0;
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
