// The one boundary between the Sandbox (main thread) and the thread that runs the engine: every message
// either side sends.
import type { SandboxLimits } from "./limits";
import type { RunOutcome } from "./outcome";

/** Main thread → engine thread: evaluate `program` once, then call `fnName` with each JSON argument list. */
export interface RunRequest {
  id: number;
  program: string;
  fnName: string;
  argsJson: string[];
  limits: SandboxLimits;
}

/** Engine thread → main thread. */
export type EngineMessage =
  | { type: "ready" }
  | { type: "done"; id: number; outcomes: RunOutcome[]; engineRestarts: number }
  | { type: "failed"; id: number; message: string };
