// The model runtime the self-play loop calls: one Llama, each model loaded once (keyed by its resolved path),
// agents as sequences of shared contexts, per-agent sampling and persona, JSON answers checked at the door,
// accounting per call, an AbortSignal on every call, and one dispose() that frees everything.
import { realpath } from "node:fs/promises";
import { getModuleVersion, LlamaLogLevel } from "node-llama-cpp";
import { listenToLlamaLog, sharedLlama, type LoadedLlama } from "./sharedLlama";
import type { GbnfJsonSchema, Llama, LlamaContext, LlamaEmbeddingContext, LlamaGrammar } from "node-llama-cpp";
import { LlamaGrammarEvaluationState } from "node-llama-cpp";
import { CultureLabError } from "../../workspace-kb/errors";
import { noiseU32 } from "../gguf/seededNoise";
import { Accounting, callUsage } from "./accounting";
import type { AccountingSnapshot, CallUsage } from "./accounting";
import { decodeTurn } from "./decodeTurn";
import type { StopReason } from "./decodeTurn";
import { checkJsonOutput, jsonValidator } from "./jsonOutput";
import { hasValueGrammars, placeholders, withoutValueGrammars } from "./valueGrammar";
import type { JsonFailure, JsonSchema } from "./jsonOutput";
import { LoadedModel } from "./loadedModel";
import type { Seat } from "./loadedModel";
import { resolveModelReference } from "./modelSources";
import type { DownloadProgress } from "./modelSources";
import { parseAgentSpec, parseRuntimeConfig } from "./runtimeConfig";
import type { AgentSpec, AgentSpecInput, OpenRuntimeConfig, RuntimeConfigInput } from "./runtimeConfig";
import { chooseThreads, currentMachine, pickCalibrated, type ThreadChoice } from "./threadChoice";
import { measureThreads } from "./threadCalibration";
import { sha256OfFile } from "./runtimeManifest";
import type { ManifestAgent, RuntimeManifest } from "./runtimeManifest";
import { RemoteAgent } from "../remote/remoteAgent";
import { RemoteServer } from "../remote/remoteServer";
import { serverKey, type RemoteModel } from "../remote/remoteModel";

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the agent's maxTokens for this call. */
  maxTokens?: number;
  /**
   * Pins the sampler seed of this call. By default each call gets the agent's seed mixed with its call number, so
   * consecutive calls draw differently; a caller that compares two calls (the with- and without-knowledge-base
   * answers of one held-out problem) gives both the same seed so they differ only by their prompts.
   */
  seed?: number;
}

export interface JsonCallOptions extends CallOptions {
  /** Constrain decoding with the schema's grammar (default true); without it the door check still applies. */
  grammar?: boolean;
}

/** "server-error": an inference server could not answer (after its retries); the message says why. */
export type CallFailure = "aborted" | "server-error";

export type TextResult =
  | { ok: true; text: string; stopReason: Exclude<StopReason, "aborted">; usage: CallUsage }
  | { ok: false; failure: CallFailure; message: string; text: string; usage: CallUsage };

export type JsonResult<T> =
  | { ok: true; value: T; text: string; usage: CallUsage }
  | { ok: false; failure: JsonFailure | CallFailure; message: string; text: string; usage: CallUsage };

export interface RuntimeAgent {
  readonly id: string;
  readonly spec: AgentSpec;
  generateText(prompt: string, options?: CallOptions): Promise<TextResult>;
  generateJson<T = unknown>(prompt: string, schema: JsonSchema, options?: JsonCallOptions): Promise<JsonResult<T>>;
  /** After its calls finish: frees its sequence and its id, so the next session on this runtime can seat its own. */
  dispose(): Promise<void>;
}

export interface LlamaBuildInUse {
  /** "native build (…)" or "prebuilt (…)", for the log and the manifest. */
  description: string;
  warning?: string;
}

export interface Runtime {
  readonly config: OpenRuntimeConfig;
  /** How many threads decode and why (the user's number, or what "auto" chose). */
  readonly threadChoice: ThreadChoice;
  /** Which llama.cpp binary decodes, and a warning when a native build exists but could not be used. */
  readonly llamaBuild: LlamaBuildInUse;
  /** Adds an agent (loading its model if no agent uses it yet). Agent ids are unique. */
  agent(spec: AgentSpecInput, options?: { signal?: AbortSignal }): Promise<RuntimeAgent>;
  /** One embedding vector per text, from the runtime's default model. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
  accounting(): AccountingSnapshot;
  /** Called after every finished call, e.g. to stream accounting to the panel. */
  onCall(listener: (usage: CallUsage) => void): () => void;
  manifest(): Promise<RuntimeManifest>;
  dispose(): Promise<void>;
}

export interface OpenOptions {
  signal?: AbortSignal;
  cwd?: string;
  onDownloadProgress?: (progress: DownloadProgress) => void;
  /** llama.cpp's own log lines (warnings and errors); the engine forwards them to its log. */
  onLog?: (level: "error" | "warn", message: string) => void;
  /** Sees every llama.cpp context as it is created; the LLM benchmark uses it to time decoding. */
  onContextCreated?: (context: LlamaContext) => void;
  /**
   * false: do not resolve or load `config.model` now (every agent will name a model on a server); a local
   * agent added later still loads its model then.
   */
  loadDefaultModel?: boolean;
}

export async function openRuntime(input: RuntimeConfigInput, options: OpenOptions = {}): Promise<Runtime> {
  const settings = parseRuntimeConfig(input);
  if (options.loadDefaultModel === false) {
    const threadChoice = settings.threads === "auto" ? { threads: 1, reason: "1 thread (auto: no local model was loaded at the start; agents run on servers)" } : await chooseThreads(settings.threads, "");
    return new ModelRuntime({ ...settings, threads: threadChoice.threads }, threadChoice, new LlamaLog(options.onLog), options);
  }
  // The model file decides "auto" threads, and the thread count is fixed when llama.cpp is loaded: resolve first.
  const modelPath = await resolveModelReference(settings.model, {
    modelsDir: settings.modelsDir,
    allowDownload: settings.allowDownload,
    cwd: options.cwd,
    signal: options.signal,
    onDownloadProgress: options.onDownloadProgress,
  });
  const threadChoice = await chooseThreads(settings.threads, modelPath);
  const config: OpenRuntimeConfig = { ...settings, threads: threadChoice.threads };
  const llamaLog = new LlamaLog(options.onLog);
  const runtime = new ModelRuntime(config, threadChoice, llamaLog, options);
  runtime.remember(settings.model, await realpath(modelPath).catch(() => modelPath));
  try {
    const loaded = await runtime.modelFor(config.model, options.signal);
    // "auto" on a large model: the load average named the candidates; a short decode at each decides.
    if (threadChoice.calibrate) runtime.settleThreads(pickCalibrated(await measureThreads(loaded.model, threadChoice.calibrate, options.signal), currentMachine()));
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
  return runtime;
}

class ModelRuntime implements Runtime {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly references = new Map<string, string>();
  private readonly agents = new Map<string, ModelAgent | RemoteAgent>();
  private readonly servers = new Map<string, RemoteServer>();
  private llamaLoaded: Promise<LoadedLlama> | undefined;
  /** Which binary decodes; known once llama.cpp is loaded (with the first local model). */
  llamaBuild: LlamaBuildInUse = { description: "not loaded (no local model)" };
  private readonly ledger = new Accounting();
  private readonly listeners = new Set<(usage: CallUsage) => void>();
  private readonly stopAll = new AbortController();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private readonly hashes = new Map<string, Promise<string>>();
  private embedding: Promise<LlamaEmbeddingContext> | undefined;
  private disposed = false;

  constructor(
    readonly config: OpenRuntimeConfig,
    public threadChoice: ThreadChoice,
    private readonly log: LlamaLog,
    private readonly options: OpenOptions,
  ) {}

  /** llama.cpp, loaded when the first local model is (a runtime whose agents all run on servers never loads it). */
  private llama(): Promise<Llama> {
    this.llamaLoaded ??= sharedLlama(this.config.gpu, this.config.threads, this.config.build).then((loaded) => {
      this.llamaBuild = { description: loaded.build, warning: loaded.warning };
      return loaded;
    });
    return this.llamaLoaded.then((loaded) => loaded.llama);
  }

  /** The measured thread count, before any agent has a context (contexts take it from the config). */
  settleThreads(choice: ThreadChoice): void {
    this.threadChoice = choice;
    this.config.threads = choice.threads;
  }

  /** An agent that disposed itself: its id may be used again. */
  forget(agentId: string): void {
    this.agents.delete(agentId);
  }

  /** A reference already resolved to a file (a download is not looked up twice). */
  remember(reference: string, path: string): void {
    this.references.set(reference, path);
  }

  /** The loaded model for a reference; the same file is loaded once however it is named. */
  async modelFor(reference: string, signal?: AbortSignal): Promise<LoadedModel> {
    let path = this.references.get(reference);
    if (path === undefined) {
      const resolved = await resolveModelReference(reference, {
        modelsDir: this.config.modelsDir,
        allowDownload: this.config.allowDownload,
        cwd: this.options.cwd,
        signal,
        onDownloadProgress: this.options.onDownloadProgress,
      });
      path = await realpath(resolved).catch(() => resolved);
      this.references.set(reference, path);
    }
    let loaded = this.models.get(path);
    if (!loaded) {
      const at = path;
      loaded = this.llama().then((llama) => LoadedModel.load(llama, at, this.config, signal, () => this.log.takeErrors(), this.options.onContextCreated));
      this.models.set(path, loaded);
      // A failed load is not cached: the user may fix the file and try again.
      loaded.catch(() => this.models.delete(path));
    }
    return loaded;
  }

  async agent(specInput: AgentSpecInput, options: { signal?: AbortSignal } = {}): Promise<RuntimeAgent> {
    this.ensureOpen();
    const spec = parseAgentSpec(specInput);
    if (this.agents.has(spec.id)) throw new CultureLabError("agent-exists", `an agent named '${spec.id}' already exists in this session.`, "Give every agent its own id.");
    if (typeof spec.model === "object") {
      const agent = await this.remoteAgent(spec, spec.model, options.signal);
      this.agents.set(spec.id, agent);
      return agent;
    }
    const loaded = await this.modelFor(spec.model ?? this.config.model, options.signal);
    const agent = new ModelAgent(spec, loaded, await loaded.takeSeat(), this);
    this.agents.set(spec.id, agent);
    return agent;
  }

  /** The server is asked what it serves before the first agent is seated there: down or refusing, the session does not start. */
  private async remoteAgent(spec: AgentSpec, remote: RemoteModel, signal?: AbortSignal): Promise<RemoteAgent> {
    let server = this.servers.get(serverKey(remote));
    if (!server) this.servers.set(serverKey(remote), (server = new RemoteServer(remote)));
    const served = await server.models(AbortSignal.any([...(signal ? [signal] : []), this.stopAll.signal]));
    const parameters = served.find((m) => m.id === remote.model)?.parameters ?? (served.length === 1 ? served[0]!.parameters : undefined) ?? 0;
    return new RemoteAgent(spec, remote, server, parameters, this);
  }

  grammarFor(schema: JsonSchema): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      // The schema arrives as data (from a caller or a protocol message); its static type cannot be inferred.
      grammar = this.llama().then((llama) => grammarOf(llama, schema)).catch((error: unknown) => {
        if (error instanceof CultureLabError) throw error;
        this.grammars.delete(key);
        throw new CultureLabError("bad-schema", `this JSON schema cannot be turned into a grammar: ${(error as Error).message}`, "Use the JSON-schema subset node-llama-cpp supports (type, properties, items, enum, const, oneOf, $defs).", { cause: error });
      });
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  record(usage: CallUsage): void {
    this.ledger.record(usage);
    for (const listener of this.listeners) listener(usage);
  }

  get abortAll(): AbortSignal {
    return this.stopAll.signal;
  }

  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    this.ensureOpen();
    if (this.models.size === 0 && this.servers.size > 0) {
      // Every agent runs on a server: embeddings come from the first one (POST /embeddings).
      return [...this.servers.values()][0]!.embed(texts, options.signal ? AbortSignal.any([options.signal, this.stopAll.signal]) : this.stopAll.signal);
    }
    const loaded = await this.modelFor(this.config.model);
    this.embedding ??= loaded.model.createEmbeddingContext({ contextSize: Math.min(this.config.contextSize, 512), threads: this.config.threads });
    const context = await this.embedding;
    const vectors: number[][] = [];
    for (const text of texts) {
      if (options.signal?.aborted || this.stopAll.signal.aborted) throw new CultureLabError("cancelled", "embedding was cancelled.");
      vectors.push([...(await context.getEmbeddingFor(text)).vector]);
    }
    return vectors;
  }

  accounting(): AccountingSnapshot {
    return this.ledger.snapshot();
  }

  onCall(listener: (usage: CallUsage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async manifest(): Promise<RuntimeManifest> {
    const loaded = await Promise.all([...this.models.values()]);
    const models = await Promise.all(
      loaded.map(async (m) => {
        let hash = this.hashes.get(m.info.path);
        if (!hash) this.hashes.set(m.info.path, (hash = sha256OfFile(m.info.path)));
        return { ...m.info, sha256: await hash, chatTemplate: m.chatTemplateName, contexts: m.contextCount };
      }),
    );
    const { modelsDir: _ignored, ...runtime } = this.config;
    const llama = this.models.size > 0 ? await this.llama() : undefined;
    const agents = [...this.agents.values()].map((a): ManifestAgent => {
      if (a instanceof RemoteAgent) {
        return { id: a.id, backend: "openai", model: a.remote.model, baseUrl: a.remote.baseUrl, servedModel: a.servedModel ?? null, persona: a.spec.persona, sampling: a.spec.sampling };
      }
      return { id: a.id, backend: "local", model: a.modelName, modelPath: a.modelPath, persona: a.spec.persona, sampling: a.spec.sampling };
    });
    return {
      createdAt: new Date().toISOString(),
      nodeLlamaCpp: await getModuleVersion(),
      llamaCpp: llama ? `${llama.llamaCppRelease.repo}@${llama.llamaCppRelease.release}` : "not loaded",
      llamaBuild: this.llamaBuild.description,
      gpu: llama ? llama.gpu : false,
      runtime,
      models,
      agents,
      reproducibility: agents.some((a) => a.backend === "openai")
        ? "best effort: agents on a server are sent their seeds, but a server batches requests from many clients and may not honour seeds, so a replay can differ"
        : this.config.decoding === "exact"
          ? "exact: every call replays token for token on the same model file and llama.cpp build"
          : "best effort: batched decoding replays only until the first near-tie between agents decoded together",
    };
  }

  ensureOpen(): void {
    if (this.disposed) throw new CultureLabError("runtime-disposed", "the model runtime has been stopped.", "Start a new session.");
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stopAll.abort(new CultureLabError("runtime-disposed", "the model runtime was stopped."));
    await Promise.allSettled([...this.agents.values()].map((a) => a.idle()));
    if (this.embedding) await (await this.embedding.catch(() => undefined))?.dispose();
    for (const grammar of this.grammars.values()) await grammar.catch(() => undefined);
    for (const model of this.models.values()) await (await model.catch(() => undefined))?.dispose();
    this.models.clear();
    this.agents.clear();
    this.log.close();
  }
}

class ModelAgent implements RuntimeAgent {
  private queue: Promise<unknown> = Promise.resolve();
  private calls = 0;

  constructor(
    readonly spec: AgentSpec,
    private readonly loaded: LoadedModel,
    private readonly seat: Seat,
    private readonly runtime: ModelRuntime,
  ) {}

  get id(): string {
    return this.spec.id;
  }

  get modelPath(): string {
    return this.loaded.info.path;
  }

  get modelName(): string {
    return this.loaded.info.name ?? this.loaded.info.path;
  }

  /** Resolves when this agent's queued calls have all finished. */
  idle(): Promise<unknown> {
    return this.queue;
  }

  async dispose(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.runtime.forget(this.id);
    if (!this.seat.sequence.disposed) this.seat.sequence.dispose();
  }

  async generateText(prompt: string, options: CallOptions = {}): Promise<TextResult> {
    const run = await this.run(prompt, options);
    if (run.stopReason === "aborted") return { ok: false, failure: "aborted", message: "the call was aborted", text: run.text, usage: run.usage };
    return { ok: true, text: run.text, stopReason: run.stopReason, usage: run.usage };
  }

  async generateJson<T = unknown>(prompt: string, schema: JsonSchema, options: JsonCallOptions = {}): Promise<JsonResult<T>> {
    const validator = jsonValidator(withoutValueGrammars(schema));
    const grammar = options.grammar === false ? undefined : await this.runtime.grammarFor(schema);
    const run = await this.run(prompt, options, grammar);
    if (run.stopReason === "aborted") return { ok: false, failure: "aborted", message: "the call was aborted", text: run.text, usage: run.usage };
    const check = checkJsonOutput(run.text.trim(), validator, { cut: run.stopReason === "max-tokens", constrained: grammar !== undefined });
    if (!check.ok) return { ok: false, failure: check.failure, message: check.message, text: run.text, usage: run.usage };
    return { ok: true, value: check.value as T, text: run.text, usage: run.usage };
  }

  /** Calls of one agent run one after another on its sequence; different agents run together. */
  private run(prompt: string, options: CallOptions, grammar?: LlamaGrammar) {
    this.runtime.ensureOpen();
    const callNumber = this.calls++;
    const result = this.queue.then(async () => {
      const signal = options.signal ? AbortSignal.any([options.signal, this.runtime.abortAll]) : this.runtime.abortAll;
      const started = performance.now();
      const rendered = this.loaded.render(this.spec.persona, prompt);
      const outcome = await decodeTurn({
        sequence: this.seat.sequence,
        barrier: this.seat.barrier,
        slot: this.seat.slot,
        prefixes: this.seat.prefixes,
        model: this.loaded.model,
        promptTokens: rendered.tokens,
        sampling: this.spec.sampling,
        seed: options.seed ?? noiseU32(this.spec.sampling.seed, callNumber),
        maxTokens: options.maxTokens ?? this.spec.sampling.maxTokens,
        grammarState: grammar ? new LlamaGrammarEvaluationState({ model: this.loaded.model, grammar }) : undefined,
        stopTokens: rendered.stopTokens,
        // A JSON grammar ends in its own stop trigger (four newlines, then any number more): without it a
        // finished answer runs on with newlines to maxTokens.
        stopTexts: grammar ? [...rendered.stopTexts, ...grammarStopTexts(grammar)] : rendered.stopTexts,
        signal,
      });
      const ended = performance.now();
      const usage = callUsage(
        this.id,
        this.loaded.info.parameters,
        { promptTokens: rendered.tokens.length, promptTokensEvaluated: outcome.promptTokensEvaluated, promptTokensCopied: outcome.promptTokensCopied, completionTokens: outcome.completionTokens },
        ended - started,
        (outcome.firstTokenAt ?? ended) - started,
      );
      this.runtime.record(usage);
      return { ...outcome, usage };
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** node-llama-cpp's grammar for the schema, with each value that carries its own GBNF spliced in (valueGrammar.ts). */
async function grammarOf(llama: Llama, schema: JsonSchema): Promise<LlamaGrammar> {
  if (!hasValueGrammars(schema)) return llama.createGrammarForJsonSchema(schema as GbnfJsonSchema as never);
  const { schema: plain, splice } = placeholders(schema);
  const json = await llama.createGrammarForJsonSchema(plain as GbnfJsonSchema as never);
  return llama.createGrammar({ grammar: splice(json.grammar), stopGenerationTriggers: json.stopGenerationTriggers, trimWhitespaceSuffix: true });
}

function grammarStopTexts(grammar: LlamaGrammar): string[] {
  return grammar.stopGenerationTriggers
    .map((trigger) => (typeof trigger === "string" ? trigger : Array.isArray(trigger) ? trigger.filter((t): t is string => typeof t === "string").join("") : trigger.toString()))
    .filter((text) => text.length > 0);
}

/** Keeps llama.cpp's recent error lines so a failed load can say why in llama.cpp's own words. */
class LlamaLog {
  private errors: string[] = [];
  readonly close: () => void;
  constructor(private readonly forward?: (level: "error" | "warn", message: string) => void) {
    this.close = listenToLlamaLog((level, message) => this.add(level, message));
  }

  add(level: LlamaLogLevel, message: string): void {
    const text = message.trim();
    if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
      this.errors.push(text);
      if (this.errors.length > 8) this.errors.shift();
      this.forward?.("error", text);
    } else if (level === LlamaLogLevel.warn) {
      this.forward?.("warn", text);
    }
  }

  /** The error lines since the last call. */
  takeErrors(): string[] {
    const taken = this.errors;
    this.errors = [];
    return taken;
  }
}
