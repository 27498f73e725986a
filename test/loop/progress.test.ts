// Progress inside a generation (issue 10, finding 3): the phase, its calls and a time left that does not
// promise "0 s" before an evaluation generation that is many times longer than a play generation.
import assert from "node:assert/strict";
import { ProgressReporter } from "../../agents/cli/progressReporter";
import type { SessionStatus } from "../../agents/engine/protocol";
import { ProgressTracker } from "../../agents/loop/progress";
import { describeProgress } from "../../agents/report/sessionProgress";
import type { SessionProgress } from "../../agents/report/sessionProgress";
import { autoThreads, pickCalibrated, SMALL_MODEL_BYTES } from "../../agents/runtime/threadChoice";
import { captureIO } from "../helpers/captureIO";

describe("progress inside a session", () => {
  function tracker(generations: number, every: number) {
    let now = 0;
    const seen: SessionProgress[] = [];
    const t = new ProgressTracker(
      { firstGeneration: 10, generations, evaluates: (n) => n % every === 0 || n === generations, evaluationCalls: 100 },
      (p) => seen.push(p),
      () => now,
    );
    return { t, seen, advance: (ms: number) => (now += ms) };
  }

  /** A play part of `calls` calls of 100 ms each, then optionally an evaluation of 100 calls of 100 ms. */
  function playGeneration(x: ReturnType<typeof tracker>, generation: number, calls: number, evaluate: boolean) {
    x.t.startGeneration(generation);
    x.t.phase("solving", calls);
    for (let i = 0; i < calls; i++) {
      x.advance(100);
      x.t.callDone();
    }
    if (evaluate) {
      x.t.phase("evaluating", 100);
      for (let i = 0; i < 100; i++) {
        x.advance(100);
        x.t.callDone();
      }
    }
    x.t.generationDone();
  }

  it("counts a phase's calls against the calls it expects, with the time left in the phase at its pace", () => {
    const x = tracker(4, 2);
    x.t.startGeneration(10);
    x.t.phase("solving", 8);
    x.advance(500);
    x.t.callDone();
    x.advance(500);
    x.t.callDone();
    const last = x.seen.at(-1)!;
    assert.deepEqual([last.phase, last.callsDone, last.callsTotal, last.ordinal, last.generations], ["solving", 2, 8, 1, 4]);
    assert.equal(last.phaseEtaMs, 6 * 500);
    assert.equal(last.etaMs, undefined, "the session's time left is not guessed before a generation has finished");
  });

  it("counts the evaluations still due, estimated from the calls before the first has run", () => {
    const x = tracker(4, 2);
    playGeneration(x, 10, 10, false); // 1 s of play, no evaluation
    x.t.startGeneration(11);
    x.t.phase("proposing", 2);
    // Left: generation 2's play (1 s) + its evaluation + generations 3 (play) and 4 (play + evaluation):
    // 3 plays of 1 s and 2 evaluations of 100 calls at 10 calls/s (10 s each).
    assert.equal(x.seen.at(-1)!.etaMs, 3_000 + 2 * 10_000);
  });

  it("estimates an evaluation of answers at the pace of the solving phases, not of slower proposals and notes", () => {
    const x = tracker(2, 2);
    x.t.startGeneration(10);
    x.t.phase("proposing", 5);
    for (let i = 0; i < 5; i++) {
      x.advance(1_000); // a proposal takes ten times an answer
      x.t.callDone();
    }
    x.t.phase("solving", 10);
    for (let i = 0; i < 10; i++) {
      x.advance(100);
      x.t.callDone();
    }
    x.t.generationDone();
    x.t.startGeneration(11);
    x.t.phase("proposing", 5);
    // Left: one play part (6 s) and one evaluation of 100 calls at the solvers' 10 calls/s (10 s), not at the
    // 15 calls in 6 s of all play (40 s).
    assert.equal(x.seen.at(-1)!.etaMs, 6_000 + 10_000);
  });

  it("uses the measured evaluation length once one has run", () => {
    const x = tracker(4, 2);
    playGeneration(x, 10, 10, false);
    playGeneration(x, 11, 10, true); // its evaluation took 10 s
    x.t.startGeneration(12);
    x.t.phase("proposing", 2);
    assert.equal(x.seen.at(-1)!.etaMs, 2 * 1_000 + 10_000);
  });

  it("reads as one line a person can plan with", () => {
    const line = describeProgress({ generation: 12, ordinal: 3, generations: 6, phase: "solving", callsDone: 5, callsTotal: 24, phaseEtaMs: 65_000, etaMs: 9 * 60_000 }, 41.26);
    assert.equal(line, "gen 3/6 · solving 5/24 calls · 41.3 tok/s · ~1 min left in phase · ~9 min left");
  });

  it("prints a plain line per phase in a log, not one per call, and skips phases with nothing to do", () => {
    const io = captureIO();
    let now = 0;
    const reporter = new ProgressReporter(io, () => now);
    const status = (progress: SessionProgress): SessionStatus => ({ state: "running", generationsDone: 0, calls: 0, completionTokens: 0, collapseAlarm: false, progress });
    const base = { generation: 0, ordinal: 1, generations: 2 };
    reporter.show(status({ ...base, phase: "solving", callsDone: 0, callsTotal: 0 }));
    for (let i = 0; i < 5; i++) reporter.show(status({ ...base, phase: "evaluating", callsDone: i, callsTotal: 120 }));
    now += 31_000;
    reporter.show(status({ ...base, phase: "evaluating", callsDone: 60, callsTotal: 120 }));
    assert.deepEqual(io.stderr().split("\n").map((l) => l.split(" · ").slice(0, 2).join(" · ")), ["gen 1/2 · evaluating 0/120 calls", "gen 1/2 · evaluating 60/120 calls"]);
  });

  it("rewrites one line in place on a terminal", () => {
    const lines: Array<string | undefined> = [];
    const io = { ...captureIO(), status: (line: string | undefined) => lines.push(line) };
    const reporter = new ProgressReporter(io);
    const progress: SessionProgress = { generation: 0, ordinal: 1, generations: 2, phase: "solving", callsDone: 1, callsTotal: 4 };
    reporter.show({ state: "running", generationsDone: 0, calls: 1, completionTokens: 9, collapseAlarm: false, progress });
    reporter.end();
    assert.equal(io.stderr(), "");
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^gen 1\/2 · solving 1\/4 calls/);
    assert.equal(lines[1], undefined, "the line is wiped before the command's last words");
  });
});

describe("the thread count chosen when it is left to us", () => {
  it("decodes a small model on one thread whatever the machine", () => {
    assert.equal(autoThreads(600 * 1024, { cores: 16, load: 0 }).threads, 1);
    assert.match(autoThreads(600 * 1024, { cores: 16, load: 0 }).reason, /0\.6 MB/);
  });

  it("gives a large model the cores the load average leaves idle, and at least one", () => {
    const big = SMALL_MODEL_BYTES * 20;
    assert.equal(autoThreads(big, { cores: 8, load: 0.2 }).threads, 8);
    assert.equal(autoThreads(big, { cores: 8, load: 5.6 }).threads, 2);
    assert.equal(autoThreads(big, { cores: 2, load: 7 }).threads, 1);
    assert.match(autoThreads(big, { cores: 2, load: 7 }).reason, /load average 7\.0/);
  });

  it("measures a large model at one thread and at the idle cores before choosing, and never a small one", () => {
    const big = SMALL_MODEL_BYTES * 20;
    assert.deepEqual(autoThreads(big, { cores: 8, load: 5.6 }).calibrate, [1, 2]);
    assert.equal(autoThreads(big, { cores: 2, load: 7 }).calibrate, undefined, "one idle core leaves nothing to measure");
    assert.equal(autoThreads(600 * 1024, { cores: 16, load: 0 }).calibrate, undefined);
  });

  it("keeps the thread count that decoded fastest, and fewer threads unless more are clearly faster", () => {
    const machine = { cores: 2, load: 1.7 };
    const stalled = pickCalibrated([{ threads: 1, msPerToken: 20 }, { threads: 2, msPerToken: 180 }], machine);
    assert.equal(stalled.threads, 1);
    assert.match(stalled.reason, /measured 20\.0 ms\/token at 1, 180\.0 ms\/token at 2; 2 CPU threads, load average 1\.7/);
    assert.equal(pickCalibrated([{ threads: 2, msPerToken: 11 }, { threads: 1, msPerToken: 20 }], machine).threads, 2);
    assert.equal(pickCalibrated([{ threads: 1, msPerToken: 20 }, { threads: 2, msPerToken: 19 }], machine).threads, 1, "5% faster is within the noise of a shared machine");
  });
});
