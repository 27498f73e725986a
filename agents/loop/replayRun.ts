// Replays a recorded run (same configuration, model file and seed) on a temporary copy of the knowledge base as
// it was when the run began, and compares every call. Runs in the engine process, like a session, so a llama.cpp
// abort cannot take the CLI or the editor down. Agents on inference servers are asked again on the recorded
// servers: a server is not bit-reproducible, so such a replay is best effort and a divergence is reported as
// expected (the run manifest's reproducibility line says so), never as a fault.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kbPaths } from "../../workspace-kb/knowledgeBase";
import type { ReplayResult } from "../engine/protocol";
import { openRuntime } from "../runtime/runtime";
import type { ManifestAgent } from "../runtime/runtimeManifest";
import { describeRemote } from "../remote/remoteModel";
import { allRemote, parseLoopConfig, remoteModels } from "./loopConfig";
import { runModelSession } from "./modelSession";
import { describeDivergence, divergenceAdvice, firstDivergence, prepareReplayWorkspace, serverReplayAdvice } from "./replay";
import { readRun } from "./runRecorder";

export async function replayRun(options: { workspaceDir: string; folder?: string; runId: string; keep?: boolean; signal?: AbortSignal }): Promise<ReplayResult> {
  const { workspaceDir, runId } = options;
  const cultureDir = kbPaths(workspaceDir, options.folder).folder;
  const recorded = readRun(cultureDir, runId);
  const warnings: string[] = [];
  if (recorded.tornTail) warnings.push("The record's last call was cut short (the run was killed); it is left out of the comparison.");
  const config = parseLoopConfig(recorded.manifest.config, join(cultureDir, "runs", runId, "manifest.json"));
  const servers = remoteModels(config);
  const reproducibility = recorded.manifest.reproducibility ?? "";
  // Runs recorded before the manifest said anything are judged by what they ran on.
  const bestEffort = servers.length > 0 || /^best effort/.test(reproducibility) || recordedDecoding(recorded.manifest.config) === "batched";
  if (servers.length > 0) {
    warnings.push(
      `Best-effort replay: this run's agents on ${servers.length === 1 ? "a server" : "servers"} (${servers.map(describeRemote).join("; ")}) are asked again there, ` +
        `and a server does not promise the same answer twice${reproducibility ? ` (the run's manifest: "${reproducibility}")` : ""}. A divergence is expected.`,
    );
  }
  const replayDir = mkdtempSync(join(tmpdir(), `culture-lab-replay-${runId}-`));
  try {
    await prepareReplayWorkspace(workspaceDir, recorded.manifest.kbRoundAtStart, replayDir, config.knowledgeBaseFolder);
    // A population wholly on servers loads no local model, as when it was recorded.
    const runtime = await openRuntime({ ...config.runtime, allowDownload: false }, { signal: options.signal, loadDefaultModel: !allRemote(config) });
    try {
      const result = await runModelSession({ workspaceDir: replayDir, config, runtime, signal: options.signal });
      const replayedManifest = await runtime.manifest();
      const recordedModel = (recorded.manifest.models[0] as { sha256?: string } | undefined)?.sha256;
      const replayedModel = replayedManifest.models[0]?.sha256;
      if (recordedModel && replayedModel && recordedModel !== replayedModel) {
        warnings.push(`The model file differs from the recorded one (sha256 ${replayedModel.slice(0, 12)}… vs ${recordedModel.slice(0, 12)}…): divergence is expected.`);
      }
      warnings.push(...servedModelChanges(recorded.manifest.agents, replayedManifest.agents));
      const replayed = readRun(kbPaths(replayDir, config.knowledgeBaseFolder).folder, result.runId);
      const divergence = firstDivergence(recorded.calls, replayed.calls);
      const advice = servers.length > 0 ? serverReplayAdvice(reproducibility) : divergenceAdvice(recordedDecoding(recorded.manifest.config));
      return {
        diverged: divergence !== undefined && divergence.what !== "replay-continued",
        divergenceExpected: bestEffort,
        message: describeDivergence(divergence, recorded.calls.length, advice),
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

/** A server that now answers with another model than the one recorded (servedModel) makes divergence certain: said once per change. */
function servedModelChanges(recorded: readonly unknown[] | undefined, replayed: readonly ManifestAgent[]): string[] {
  const before = new Map<string, string>();
  for (const a of (recorded ?? []) as Array<{ id?: unknown; backend?: unknown; servedModel?: unknown }>) {
    if (a.backend === "openai" && typeof a.id === "string" && typeof a.servedModel === "string") before.set(a.id, a.servedModel);
  }
  const changes = new Set<string>();
  for (const a of replayed) {
    const then = before.get(a.id);
    if (a.backend !== "openai" || then === undefined || a.servedModel === null || a.servedModel === then) continue;
    changes.add(`${a.baseUrl} now answers with the model "${a.servedModel}"; the run was answered by "${then}": divergence is certain.`);
  }
  return [...changes];
}
