// What a sandbox run takes and gives back: JSON in, JSON or a typed failure out.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Call {
  /** Name of the function the program defines (an identifier). */
  fn: string;
  args: Json[];
}

export type FailureReason =
  | "syntax" // the program does not parse
  | "no-function" // it parses but defines no function with the requested name
  | "bad-call" // the function name is not an identifier
  | "threw" // the program or the call threw
  | "timeout" // the step budget ran out or the deadline passed
  | "memory" // the memory cap was reached
  | "stack" // the recursion cap was reached
  | "not-json" // the result is not plain JSON (NaN, undefined, a function, a cycle, a Map, a BigInt…)
  | "output-too-large"
  | "input-too-large" // the arguments or the program exceed the host-side caps
  | "engine-crash"; // the engine broke; it has been replaced

export type RunOutcome =
  | { ok: true; value: Json; ms: number }
  /**
   * `clock`: stopped by the wall-clock backstop, not by the step budget. The budget is what decides whether a
   * program is valid (the same verdict on an idle and a loaded machine); the clock only catches runaways.
   */
  | { ok: false; reason: FailureReason; message: string; ms: number; clock?: true };
