// How `culture-lab run` shows where a session is: on a terminal one line rewritten in place; in a log or a
// pipe a plain line when a phase starts and at most every PLAIN_EVERY_MS within one, so a CI log stays short.
import type { SessionStatus } from "../engine/protocol";
import { describeProgress } from "../report/sessionProgress";
import type { CliIO } from "./command";

const PLAIN_EVERY_MS = 30_000;

export class ProgressReporter {
  private lastPhase = "";
  private lastPlain = 0;

  constructor(private readonly io: CliIO, private readonly now: () => number = Date.now) {}

  show(status: SessionStatus): void {
    const progress = status.progress;
    // A phase with nothing to do (no valid proposal to solve) is not worth a line.
    if (!progress || status.state === "idle" || progress.callsTotal === 0) return;
    const line = describeProgress(progress, status.tokensPerSecond);
    if (this.io.status) {
      this.io.status(line);
      return;
    }
    const phase = `${progress.generation}/${progress.phase}`;
    if (phase === this.lastPhase && this.now() - this.lastPlain < PLAIN_EVERY_MS) return;
    this.lastPhase = phase;
    this.lastPlain = this.now();
    this.io.err(line);
  }

  /** The terminal's progress line is removed before the command's last words. */
  end(): void {
    this.io.status?.(undefined);
  }
}
