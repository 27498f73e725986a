// The panel's session line once a session has ended: finished with its run, stopped by the user, or failed with
// the reason in the same words as the log and the error notification (a server down at the start, a refused
// key, a model that cannot load) — so the panel never just falls back to "No session running".
import type { SessionRunResult } from "../agents/engine/protocol";
import type { SessionState } from "../webview/protocol";
import { CultureLabError } from "../workspace-kb/errors";
import { describeError } from "./errorText";

export function endedSession(outcome: { result?: SessionRunResult; error?: unknown }): SessionState {
  if (outcome.result) return { phase: "finished", runId: outcome.result.runId, message: `Run ${outcome.result.runId} finished.` };
  if (outcome.error instanceof CultureLabError && outcome.error.code === "cancelled") return { phase: "finished", message: outcome.error.message };
  return { phase: "failed", message: describeError(outcome.error) };
}
