// Proposals that run but teach nothing, refused with a reason a person understands: an argument count that
// does not match f's parameters (the classic: a list passed as four separate numbers), an induction target
// whose outputs are all the same, an abduction target that ignores its input (every answer would be right).
import type { Json, PureRunner, SandboxLimits } from "../sandbox/sandbox";
import { canonicalJson } from "./canonicalJson";
import { FN } from "./problem";
import type { Example } from "./problem";
import { parametersOfF } from "./programText";
import type { Mode } from "./schemas";

export type DegenerateReason = "arity" | "constant-output" | "ignores-input";
export type Refusal = { reason: DegenerateReason; message: string };

/** Checks each call's argument count against f's signature (when it can be read); undefined when they match. */
export function arityRefusal(program: string, inputs: Json[][], what = "the input"): { reason: "arity"; message: string } | undefined {
  const params = parametersOfF(program);
  if (!params) return undefined;
  for (let i = 0; i < inputs.length; i++) {
    const args = inputs[i]!;
    const tooMany = params.most !== undefined && args.length > params.most;
    if (!tooMany && args.length >= params.required) continue;
    const takes = params.most === undefined ? `at least ${params.required}` : params.required === params.most ? `${params.most}` : `${params.required} to ${params.most}`;
    const which = inputs.length > 1 ? `${what} ${i + 1}` : what;
    let message = `f takes ${takes} argument${takes === "1" ? "" : "s"} but ${which} has ${args.length}`;
    if (params.most === 1 && args.length > 1) message += `: wrap an array argument as ${JSON.stringify([args])}`;
    else if (params.most !== undefined && args.length === 1 && Array.isArray(args[0]) && args[0].length === params.most) {
      message += `: pass the arguments themselves, as ${JSON.stringify(args[0])}, not wrapped in one list`;
    }
    return { reason: "arity", message };
  }
  return undefined;
}

/** Induction with one output for every input, or abduction whose f gives the same output on other inputs. */
export async function degenerateRefusal(sandbox: PureRunner, mode: Mode, program: string, examples: Example[], limits: SandboxLimits): Promise<Refusal | undefined> {
  if (mode === "induction") {
    const first = canonicalJson(examples[0]!.output);
    if (examples.every((e) => canonicalJson(e.output) === first)) {
      return { reason: "constant-output", message: `f returns ${clip(first)} for all ${examples.length} inputs: a solver could answer with a constant; choose inputs whose outputs differ` };
    }
    return undefined;
  }
  if (mode !== "abduction") return undefined;
  const { input, output } = examples[0]!;
  if (input.length === 0) return { reason: "ignores-input", message: "f takes no arguments, so every input gives the same output and any answer would be right" };
  const probes = [1, 2, 3].map((k) => input.map((arg) => perturb(arg, k)));
  const runs = await sandbox.runPureMany(program, probes.map((args) => ({ fn: FN, args })), limits);
  const truth = canonicalJson(output);
  if (runs.every((r) => r.ok && canonicalJson(r.value) === truth)) {
    return { reason: "ignores-input", message: `f returns ${clip(truth)} on other inputs too (tried ${probes.length}): it ignores its input, so any answer would be right` };
  }
  return undefined;
}

/** A different value of the same kind, varied three ways (k = 1, 2, 3). */
function perturb(value: Json, k: number): Json {
  if (typeof value === "number") return [value + 1, -value - 7, value * 3 + 11][k - 1]!;
  if (typeof value === "string") return [`${value}q`, "", `zz${[...value].reverse().join("")}`][k - 1]!;
  if (typeof value === "boolean") return !value;
  if (value === null) return k;
  if (Array.isArray(value)) {
    const changed = value.map((v) => perturb(v, k));
    return [[...changed, changed[0] ?? 5], changed.slice(1).reverse(), [...changed].reverse()][k - 1]!;
  }
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, perturb(v, k)]));
}

function clip(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 79)}…`;
}
