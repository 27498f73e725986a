// How a long CLI command (run, experiment, replay) ends its engine process, once the engine's request has settled.
import type { EngineClient } from "../engine/engineClient";
import { clearDeadOwner } from "../../workspace-kb/sessionLock";
import type { StopSignals } from "./stopSignals";

/**
 * Stops the engine; when it was killed (it cannot release the knowledge base's lock in `kbFolder` then), clears
 * its lock once it is gone. A Ctrl-C or SIGTERM meanwhile does nothing: killing the engine now could cut its own
 * lock release in half, and the signal handlers stay until the very end so that a signal cannot kill this process
 * either (by default it would, replacing the command's exit code with a death by that signal).
 */
export async function closeEngine(stop: StopSignals, engine: EngineClient | undefined, kbFolder?: string): Promise<void> {
  stop.onSecond(() => undefined);
  try {
    const enginePid = engine?.lastPid;
    await engine?.dispose();
    if (enginePid !== undefined && kbFolder !== undefined) await clearDeadOwner(kbFolder, enginePid);
  } finally {
    stop.dispose();
  }
}
