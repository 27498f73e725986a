// "Verify": a solver's answer is checked by execution, never by a judge. Deduction compares the predicted
// output with the truth (canonical JSON equality); abduction runs f on the proposed input; induction runs the
// solver's f on the held-back pairs, all of which must match.
import { DEFAULT_LIMITS } from "../sandbox/sandbox";
import type { FailureReason, PureRunner, SandboxLimits } from "../sandbox/sandbox";
import { jsonEqual } from "./canonicalJson";
import { parseAnswer } from "./modelOutput";
import type { OutputFailure } from "./modelOutput";
import { arityRefusal } from "./degenerate";
import { FN, heldOutExamples } from "./problem";
import { languageHint, normaliseProgram } from "./programText";
import type { Problem } from "./problem";

export type Verdict =
  | { correct: true; ms: number }
  | { correct: false; reason: "wrong" | "arity" | OutputFailure["reason"] | FailureReason; message: string; ms: number };

export async function checkAnswer(
  sandbox: PureRunner,
  problem: Problem,
  output: string | unknown,
  limits: SandboxLimits = DEFAULT_LIMITS,
): Promise<Verdict> {
  const started = performance.now();
  const done = (wrong?: { reason: Exclude<Verdict, { correct: true }>["reason"]; message: string }): Verdict =>
    wrong ? { correct: false, ...wrong, ms: performance.now() - started } : { correct: true, ms: performance.now() - started };
  const truth = problem.examples[0]!;

  switch (problem.mode) {
    case "deduction": {
      const answer = parseAnswer("deduction", output);
      if (!answer.ok) return done(answer);
      return done(jsonEqual(answer.value.output, truth.output) ? undefined : { reason: "wrong", message: "the predicted output differs" });
    }
    case "abduction": {
      const answer = parseAnswer("abduction", output);
      if (!answer.ok) return done(answer);
      const arity = arityRefusal(problem.program, [answer.value.input], "your input");
      if (arity) return done(arity);
      const run = await sandbox.runPure(problem.program, { fn: FN, args: answer.value.input }, limits);
      if (!run.ok) return done({ reason: run.reason, message: `f failed on the proposed input: ${run.message}` });
      return done(jsonEqual(run.value, truth.output) ? undefined : { reason: "wrong", message: "f gives a different output on that input" });
    }
    case "induction": {
      const answer = parseAnswer("induction", output);
      if (!answer.ok) return done(answer);
      const held = heldOutExamples(problem);
      const program = normaliseProgram(answer.value.program);
      const runs = await sandbox.runPureMany(program, held.map((e) => ({ fn: FN, args: e.input })), limits);
      let wrong = 0;
      for (let i = 0; i < held.length; i++) {
        const run = runs[i]!;
        if (!run.ok) {
          const hint = run.reason === "syntax" ? languageHint(answer.value.program) : undefined;
          return done({ reason: run.reason, message: `held-back pair ${i + 1}: ${run.message}${hint ? ` — ${hint}` : ""}` });
        }
        if (!jsonEqual(run.value, held[i]!.output)) wrong++;
      }
      return done(wrong === 0 ? undefined : { reason: "wrong", message: `${wrong} of ${held.length} held-back pairs differ` });
    }
  }
}
