// `culture-lab replay <run-id>`: re-runs a recorded session (same configuration, model file and seed) on a copy
// of the knowledge base as it was when the run began, and reports the first call that diverges.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { kbPaths } from "../../workspace-kb/knowledgeBase";
import { parseLoopConfig } from "../loop/loopConfig";
import { runModelSession } from "../loop/modelSession";
import { describeDivergence, firstDivergence, prepareReplayWorkspace } from "../loop/replay";
import { readRun } from "../loop/runRecorder";
import { openRuntime } from "../runtime/runtime";
import { parseCommandArgs, usageError, type CliCommand } from "./command";

const DIVERGED = 3;

const help = `Usage: culture-lab replay <run-id> [--workspace DIR] [--keep]

Re-runs the recorded run .culture/runs/<run-id>/ with its recorded configuration, model and seed,
starting from the knowledge base as it was when that run began (rebuilt from events.jsonl in a
temporary folder; your workspace is not changed), and compares every call.

Exit codes: 0 no divergence; ${DIVERGED} a divergence was found (it is printed); 1 the run cannot be
replayed (missing run, damaged record, model file no longer there).

Options:
  --workspace DIR   the workspace holding .culture/ (default: the current folder)
  --keep            keep the temporary replay workspace and print where it is`;

export const replayCommand: CliCommand = {
  name: "replay",
  summary: "re-run a recorded session on CPU and report the first call that diverges",
  help,
  async run(args, io) {
    const parsed = parseCommandArgs("replay", { args, allowPositionals: true, options: { workspace: { type: "string" }, keep: { type: "boolean", default: false } } });
    const [runId] = parsed.positionals;
    if (!runId) throw usageError("replay", "replay needs a run id (the folder names under .culture/runs/).");
    const workspaceDir = resolve(io.cwd, parsed.values.workspace ?? ".");
    const cultureDir = kbPaths(workspaceDir).folder;
    const recorded = readRun(cultureDir, runId);
    if (recorded.tornTail) io.err("The record's last call was cut short (the run was killed); it is left out of the comparison.");
    const config = parseLoopConfig(recorded.manifest.config, join(cultureDir, "runs", runId, "manifest.json"));

    const replayDir = mkdtempSync(join(tmpdir(), `culture-lab-replay-${runId}-`));
    try {
      await prepareReplayWorkspace(workspaceDir, recorded.manifest.kbRoundAtStart, replayDir);
      const runtime = await openRuntime({ ...config.runtime, allowDownload: false });
      try {
        const result = await runModelSession({ workspaceDir: replayDir, config, runtime });
        const recordedModel = (recorded.manifest.models[0] as { sha256?: string } | undefined)?.sha256;
        const replayedModel = (await runtime.manifest()).models[0]?.sha256;
        if (recordedModel && replayedModel && recordedModel !== replayedModel) {
          io.err(`The model file differs from the recorded one (sha256 ${replayedModel.slice(0, 12)}… vs ${recordedModel.slice(0, 12)}…): divergence is expected.`);
        }
        const replayed = readRun(kbPaths(replayDir).folder, result.runId);
        const divergence = firstDivergence(recorded.calls, replayed.calls);
        io.out(describeDivergence(divergence, recorded.calls.length));
        if (parsed.values.keep) io.out(`replay workspace kept at ${replayDir}`);
        return divergence && divergence.what !== "replay-continued" ? DIVERGED : 0;
      } finally {
        await runtime.dispose();
      }
    } finally {
      if (!parsed.values.keep) rmSync(replayDir, { recursive: true, force: true });
    }
  },
};
