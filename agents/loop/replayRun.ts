// Replays a recorded run (same configuration, model file and seed) on a temporary copy of the knowledge base as
// it was when the run began, and compares every call. Runs in the engine process, like a session, so a llama.cpp
// abort cannot take the CLI or the editor down.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kbPaths } from "../../workspace-kb/knowledgeBase";
import type { ReplayResult } from "../engine/protocol";
import { openRuntime } from "../runtime/runtime";
import { parseLoopConfig } from "./loopConfig";
import { runModelSession } from "./modelSession";
import { describeDivergence, divergenceAdvice, firstDivergence, prepareReplayWorkspace } from "./replay";
import { readRun } from "./runRecorder";

export async function replayRun(options: { workspaceDir: string; folder?: string; runId: string; keep?: boolean; signal?: AbortSignal }): Promise<ReplayResult> {
  const { workspaceDir, runId } = options;
  const cultureDir = kbPaths(workspaceDir, options.folder).folder;
  const recorded = readRun(cultureDir, runId);
  const warnings: string[] = [];
  if (recorded.tornTail) warnings.push("The record's last call was cut short (the run was killed); it is left out of the comparison.");
  const config = parseLoopConfig(recorded.manifest.config, join(cultureDir, "runs", runId, "manifest.json"));
  const replayDir = mkdtempSync(join(tmpdir(), `culture-lab-replay-${runId}-`));
  try {
    await prepareReplayWorkspace(workspaceDir, recorded.manifest.kbRoundAtStart, replayDir, config.knowledgeBaseFolder);
    const runtime = await openRuntime({ ...config.runtime, allowDownload: false }, { signal: options.signal });
    try {
      const result = await runModelSession({ workspaceDir: replayDir, config, runtime, signal: options.signal });
      const recordedModel = (recorded.manifest.models[0] as { sha256?: string } | undefined)?.sha256;
      const replayedModel = (await runtime.manifest()).models[0]?.sha256;
      if (recordedModel && replayedModel && recordedModel !== replayedModel) {
        warnings.push(`The model file differs from the recorded one (sha256 ${replayedModel.slice(0, 12)}… vs ${recordedModel.slice(0, 12)}…): divergence is expected.`);
      }
      const replayed = readRun(kbPaths(replayDir, config.knowledgeBaseFolder).folder, result.runId);
      const divergence = firstDivergence(recorded.calls, replayed.calls);
      return {
        diverged: divergence !== undefined && divergence.what !== "replay-continued",
        message: describeDivergence(divergence, recorded.calls.length, divergenceAdvice(recordedDecoding(recorded.manifest.config))),
        warnings,
        ...(options.keep ? { replayDir } : {}),
      };
    } finally {
      await runtime.dispose();
    }
  } finally {
    if (!options.keep) rmSync(replayDir, { recursive: true, force: true });
  }
}

/** How the recorded run decoded; runs recorded before the setting existed were batched. */
function recordedDecoding(config: unknown): string {
  const runtime = (config as { runtime?: { decoding?: unknown } } | undefined)?.runtime;
  return typeof runtime?.decoding === "string" ? runtime.decoding : "batched";
}
