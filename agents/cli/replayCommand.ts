// `culture-lab replay <run-id>`: re-runs a recorded session (same configuration, model file and seed) on a copy
// of the knowledge base as it was when the run began, and reports the first call that diverges.
import { resolve } from "node:path";
import { EngineClient } from "../engine/engineClient";
import { runsReplay } from "../engine/protocol";
import { parseCommandArgs, usageError, type CliCommand } from "./command";
import { EXIT_STOPPED_BY, listenForStop } from "./stopSignals";
import { closeEngine } from "./closeEngine";

const DIVERGED = 3;

const help = `Usage: culture-lab replay <run-id> [--workspace DIR] [--folder NAME] [--keep]

Re-runs the recorded run .culture/runs/<run-id>/ with its recorded configuration, model and seed,
starting from the knowledge base as it was when that run began (rebuilt from events.jsonl in a
temporary folder; your workspace is not changed), and compares every call.

Agents on an inference server are asked again on the recorded server (its baseUrl, model and apiKeyEnv):
a server is not bit-reproducible, so such a replay is best effort, as the run's manifest says, and a
divergence is reported as expected. The server must be running; the API key is read from the same
environment variable as in the run.

Exit codes: 0 no divergence; ${DIVERGED} a divergence was found (it is printed, and said to be expected
when the manifest's reproducibility is best effort); 1 the run cannot be replayed (missing run, damaged
record, model file no longer there, a server down or refusing); 2 a usage error (an unknown option,
a missing run id: one line); 130 / 143 stopped by Ctrl-C / SIGTERM (your workspace is never changed).
On bad input it says what is wrong in one line, with what to do.

Options:
  --workspace DIR   the workspace holding .culture/ (default: the current folder)
  --folder NAME     the knowledge-base folder inside it (default: .culture)
  --keep            keep the temporary replay workspace and print where it is`;

export const replayCommand: CliCommand = {
  name: "replay",
  summary: "re-run a recorded session on CPU and report the first call that diverges",
  help,
  async run(args, io) {
    const parsed = parseCommandArgs("replay", { args, allowPositionals: true, options: { workspace: { type: "string" }, folder: { type: "string" }, keep: { type: "boolean", default: false } } });
    const [runId] = parsed.positionals;
    if (!runId) throw usageError("replay", "replay needs a run id (the folder names under .culture/runs/).");
    const workspaceDir = resolve(io.cwd, parsed.values.workspace ?? ".");
    // Replay loads the model, so it runs in the engine process like a session.
    const stop = listenForStop((line) => io.err(line));
    let engine: EngineClient | undefined;
    try {
      engine = await EngineClient.start({ onLog: (line) => io.err(`[engine] ${line}`) });
      const started = engine;
      stop.onSecond(() => started.kill());
      const result = await engine.request(runsReplay, { workspaceDir, ...(parsed.values.folder ? { folder: parsed.values.folder } : {}), runId, keep: parsed.values.keep }, stop.signal);
      for (const warning of result.warnings) io.err(warning);
      io.out(result.message);
      if (result.replayDir) io.out(`replay workspace kept at ${result.replayDir}`);
      return result.diverged ? DIVERGED : 0;
    } catch (error) {
      if (!stop.received) throw error;
      io.err(`Stopped (${stop.received === "SIGINT" ? "Ctrl-C" : stop.received}); nothing was compared. Your workspace was not changed.`);
      return EXIT_STOPPED_BY[stop.received];
    } finally {
      await closeEngine(stop, engine); // no lock to clear: a replay writes only to its own copy in the temp folder
    }
  },
};
