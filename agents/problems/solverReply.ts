// The door for a solver's whole reply, as the game reads it: {"reasoning", "answer", "cites"} decoded under
// the grammar, or the same written without one (in a fence, with prose around it). A reply that drops the
// "answer" wrapper and gives the mode's answer object itself ({"output": 6}) is read as that answer.
import type { PureRunner, SandboxLimits } from "../sandbox/sandbox";
import { DEFAULT_LIMITS } from "../sandbox/sandbox";
import { checkAnswer, type Verdict } from "./checkAnswer";
import { jsonInText } from "./modelOutput";
import type { Problem } from "./problem";

export interface SolverReply {
  answer: unknown;
  cites: unknown;
}

export function readSolverReply(reply: unknown): { ok: true; value: SolverReply } | { ok: false; message: string } {
  let value = reply;
  if (typeof reply === "string") {
    const found = jsonInText(reply);
    if (!found.ok) return { ok: false, message: found.message };
    value = found.value;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { ok: false, message: "the reply is not a JSON object" };
  const object = value as Record<string, unknown>;
  return { ok: true, value: "answer" in object ? { answer: object.answer ?? null, cites: object.cites } : { answer: object, cites: [] } };
}

/** Reads a reply and checks its answer by execution: the verdict the game records for it. */
export async function checkSolverReply(sandbox: PureRunner, problem: Problem, reply: unknown, limits: SandboxLimits = DEFAULT_LIMITS): Promise<Verdict> {
  const read = readSolverReply(reply);
  if (!read.ok) return { correct: false, reason: "not-json", message: read.message, ms: 0 };
  return checkAnswer(sandbox, problem, read.value.answer, limits);
}
