// How a long CLI command (run, replay) is stopped: the first Ctrl-C or SIGTERM asks the engine to stop after the
// call in flight (the knowledge base keeps every finished generation); a second one stops the engine at once.
// The exit code says which signal stopped it, the shell's way: 128 + its number (130 Ctrl-C, 143 SIGTERM).
import { CultureLabError } from "../../workspace-kb/errors";

export const EXIT_STOPPED_BY: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };

export interface StopSignals {
  /** Aborts on the first signal. */
  readonly signal: AbortSignal;
  /** The signal that stopped the command, if one did. */
  readonly received: "SIGINT" | "SIGTERM" | undefined;
  /** Called on a second signal (e.g. to kill the engine at once). */
  onSecond(action: () => void): void;
  dispose(): void;
}

export function listenForStop(say: (line: string) => void): StopSignals {
  const controller = new AbortController();
  let received: "SIGINT" | "SIGTERM" | undefined;
  let second: (() => void) | undefined;
  const handler = (name: "SIGINT" | "SIGTERM") => {
    if (received === undefined) {
      received = name;
      say(`Stopping after the call in flight (${name === "SIGINT" ? "Ctrl-C" : name}); press Ctrl-C again to stop at once.`);
      controller.abort(new CultureLabError("cancelled", `Stopped by ${name}.`));
    } else {
      second?.();
    }
  };
  const onInt = () => handler("SIGINT");
  const onTerm = () => handler("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    onSecond(action) {
      second = action;
    },
    dispose() {
      process.removeListener("SIGINT", onInt);
      process.removeListener("SIGTERM", onTerm);
    },
  };
}
