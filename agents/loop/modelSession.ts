// A session whose agents are language models: the runtime opened from the configuration, one model agent per
// population member, and the model described for the run record. Used by `culture-lab run` and `replay`.
import type { Runtime } from "../runtime/runtime";
import type { GenerationSummary } from "../report/runSummary";
import type { LoopConfig } from "./loopConfig";
import { modelAgentFactory } from "./modelAgent";
import { runSession, type SessionResult } from "./session";

export interface ModelSessionOptions {
  workspaceDir: string;
  config: LoopConfig;
  runtime: Runtime;
  caveats?: string[];
  signal?: AbortSignal;
  onGeneration?: (summary: GenerationSummary) => void;
}

export function runModelSession(options: ModelSessionOptions): Promise<SessionResult> {
  const { runtime, config } = options;
  return runSession({
    workspaceDir: options.workspaceDir,
    config,
    agents: modelAgentFactory(runtime, config.sampling),
    caveats: options.caveats,
    signal: options.signal,
    onGeneration: options.onGeneration,
    describeModel: async () => {
      const manifest = await runtime.manifest();
      const model = manifest.models[0];
      return {
        model: {
          name: model?.name ?? config.runtime.model,
          sha256: model?.sha256 ?? "",
          parameters: model?.parameters ?? 0,
          isNoise: config.runtime.model === "tiny",
        },
        manifest: { models: manifest.models, versions: { nodeLlamaCpp: manifest.nodeLlamaCpp, llamaCpp: manifest.llamaCpp } },
      };
    },
  });
}
