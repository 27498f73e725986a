// "Propose" validity: a proposal becomes a problem only if it parses as a proposal, f parses and runs within
// the sandbox limits on every input, gives the same JSON for each input called alone in a fresh context as in
// the batch (so no state carries from one call to the next), and its outputs are JSON of bounded size.
// The program is first cleaned of what models write around it (programText.ts), and a proposal that runs but
// teaches nothing — a wrong argument count, a constant induction target, an abduction target that ignores its
// input — is refused too (degenerate.ts). Otherwise the verdict says why, for the record.
import { DEFAULT_LIMITS } from "../sandbox/sandbox";
import type { FailureReason, PureRunner, SandboxLimits } from "../sandbox/sandbox";
import { canonicalJson } from "./canonicalJson";
import { parseProposal } from "./modelOutput";
import type { OutputFailure } from "./modelOutput";
import { arityRefusal, degenerateRefusal, type DegenerateReason } from "./degenerate";
import { FN } from "./problem";
import type { Problem } from "./problem";
import { languageHint, normaliseProgram } from "./programText";

export type ProposalFailureReason = OutputFailure["reason"] | FailureReason | "input-count" | "non-deterministic" | DegenerateReason;

export type ProposalVerdict =
  | { ok: true; problem: Problem; ms: number }
  | { ok: false; reason: ProposalFailureReason; message: string; ms: number };

export async function validateProposal(
  sandbox: PureRunner,
  output: string | unknown,
  limits: SandboxLimits = DEFAULT_LIMITS,
): Promise<ProposalVerdict> {
  const started = performance.now();
  const fail = (reason: ProposalFailureReason, message: string): ProposalVerdict => ({
    ok: false,
    reason,
    message,
    ms: performance.now() - started,
  });

  const parsed = parseProposal(output);
  if (!parsed.ok) return fail(parsed.reason, parsed.message);
  const { mode, inputs, hint } = parsed.value;
  // What models write around a program (fences, export, a demo console.log, type annotations) is not the
  // program; the problem keeps the program the sandbox ran, so solvers read clean code.
  const program = normaliseProgram(parsed.value.program);
  if (mode !== "induction" && inputs.length !== 1) {
    return fail("input-count", `${mode} takes exactly one input; the proposal has ${inputs.length}`);
  }
  if (mode === "induction" && inputs.length < 2) {
    return fail("input-count", "induction needs at least two inputs: some to show and some to hold back");
  }

  const arity = arityRefusal(program, inputs);
  if (arity) return fail(arity.reason, arity.message);

  const calls = inputs.map((args) => ({ fn: FN, args }));
  const first = await sandbox.runPureMany(program, calls, limits);
  const firstFailure = first.findIndex((o) => !o.ok);
  if (firstFailure >= 0) {
    const o = first[firstFailure]!;
    if (!o.ok) {
      const hint = o.reason === "syntax" ? languageHint(parsed.value.program) : undefined;
      const message = inputs.length > 1 && o.reason !== "syntax" ? `input ${firstFailure + 1}: ${o.message}` : o.message;
      return fail(o.reason, hint ? `${message} — ${hint}` : message);
    }
  }
  // The second run calls f on each input alone, each in a fresh context: a program that keeps state between
  // calls (a module-level counter, a patched Object.prototype.toJSON) answers differently there than after
  // the inputs before it, so it is not a function of its input, whatever two identical batches would say.
  for (let i = 0; i < calls.length; i++) {
    const a = first[i]!;
    const b = await sandbox.runPure(program, calls[i]!, limits);
    // The budget passed the batch, so the call alone (which uses less of it) can only be stopped by the clock:
    // a runaway or a starved machine, reported as such, never as a property of the program.
    if (!b.ok && b.clock) return fail("timeout", `input ${i + 1}, called alone: ${b.message}`);
    if (!a.ok || !b.ok || canonicalJson(a.value) !== canonicalJson(b.value)) {
      const alone = calls.length > 1 ? " (called alone in a fresh sandbox, and after the inputs before it): the program keeps state between calls or is not deterministic" : " in two fresh sandboxes";
      return fail("non-deterministic", `input ${i + 1} gave different results${alone}`);
    }
  }

  const examples = inputs.map((input, i) => {
    const o = first[i]!;
    return { input, output: o.ok ? o.value : null };
  });
  const degenerate = await degenerateRefusal(sandbox, mode, program, examples, limits);
  if (degenerate) return fail(degenerate.reason, degenerate.message);
  const heldOut = mode === "induction" ? Math.floor(inputs.length / 2) : 0;
  return { ok: true, problem: { mode, program, hint, examples, heldOut }, ms: performance.now() - started };
}
