// An agent whose model runs on an inference server, behind the same RuntimeAgent interface as a local one:
// its calls run one after another (a conversation has one turn at a time), agents share their server's
// concurrency limit, JSON is checked at the same door, and a call the server could not answer — after the
// retry cap — comes back as a failed result ("server-error", with the server's problem in words) so the session
// goes on instead of stopping.
import { CultureLabError } from "../../workspace-kb/errors";
import { noiseU32 } from "../gguf/seededNoise";
import { callUsage, type CallUsage } from "../runtime/accounting";
import { withoutValueGrammars } from "../runtime/valueGrammar";
import { checkJsonOutput, jsonValidator, type JsonSchema } from "../runtime/jsonOutput";
import type { CallOptions, JsonCallOptions, JsonResult, RuntimeAgent, TextResult } from "../runtime/runtime";
import type { AgentSpec } from "../runtime/runtimeConfig";
import { streamChat, type ChatOutcome } from "./chatCompletion";
import type { RemoteModel } from "./remoteModel";
import type { RemoteServer } from "./remoteServer";
import { withRetries } from "./serverHttp";

/** What a remote agent needs from the runtime that seats it. */
export interface AgentHost {
  record(usage: CallUsage): void;
  readonly abortAll: AbortSignal;
  ensureOpen(): void;
  forget(agentId: string): void;
}

type Run = { ok: true; outcome: ChatOutcome; usage: CallUsage } | { ok: false; failure: "aborted" | "server-error"; message: string; usage: CallUsage };

export class RemoteAgent implements RuntimeAgent {
  private queue: Promise<unknown> = Promise.resolve();
  private calls = 0;
  /** The model id the server last said it answered with (recorded in the manifest). */
  servedModel: string | undefined;

  constructor(
    readonly spec: AgentSpec,
    readonly remote: RemoteModel,
    private readonly server: RemoteServer,
    private readonly parameters: number,
    private readonly host: AgentHost,
  ) {}

  get id(): string {
    return this.spec.id;
  }

  idle(): Promise<unknown> {
    return this.queue;
  }

  async dispose(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.host.forget(this.id);
  }

  async generateText(prompt: string, options: CallOptions = {}): Promise<TextResult> {
    const run = await this.run(prompt, options);
    if (!run.ok) return { ok: false, failure: run.failure, message: run.message, text: "", usage: run.usage };
    return { ok: true, text: run.outcome.text, stopReason: run.outcome.stopReason === "max-tokens" ? "max-tokens" : "eog", usage: run.usage };
  }

  async generateJson<T = unknown>(prompt: string, schema: JsonSchema, options: JsonCallOptions = {}): Promise<JsonResult<T>> {
    // A server gets the JSON schema alone: GBNF of single values is the local runtime's (valueGrammar.ts).
    const plain = withoutValueGrammars(schema);
    const validator = jsonValidator(plain);
    const constrained = options.grammar !== false && this.remote.structuredOutput !== "none";
    const run = await this.run(prompt, options, constrained ? plain : undefined);
    if (!run.ok) return { ok: false, failure: run.failure, message: run.message, text: "", usage: run.usage };
    const text = run.outcome.text;
    const check = checkJsonOutput(text.trim(), validator, { cut: run.outcome.stopReason === "max-tokens", constrained });
    if (!check.ok) return { ok: false, failure: check.failure, message: check.message, text, usage: run.usage };
    return { ok: true, value: check.value as T, text, usage: run.usage };
  }

  private run(prompt: string, options: CallOptions, schema?: JsonSchema): Promise<Run> {
    this.host.ensureOpen();
    const callNumber = this.calls++;
    const result = this.queue.then(async (): Promise<Run> => {
      const signal = options.signal ? AbortSignal.any([options.signal, this.host.abortAll]) : this.host.abortAll;
      const started = performance.now();
      const call = {
        persona: this.spec.persona,
        prompt,
        sampling: this.spec.sampling,
        seed: options.seed ?? noiseU32(this.spec.sampling.seed, callNumber),
        maxTokens: options.maxTokens ?? this.spec.sampling.maxTokens,
        schema,
      };
      let run: Run;
      try {
        const outcome = await this.server.limit(() => withRetries(this.remote, () => streamChat(this.remote, this.remote, call, signal), signal), signal);
        this.servedModel = outcome.servedModel ?? this.servedModel;
        const ended = performance.now();
        // A server's own prompt cache is invisible here: nothing counts as copied between agents.
        const tokens = { promptTokensCopied: 0, ...(outcome.usage ?? { promptTokens: 0, promptTokensEvaluated: 0, completionTokens: 0 }) };
        run = { ok: true, outcome, usage: callUsage(this.id, this.parameters, tokens, ended - started, (outcome.firstTokenAt ?? ended) - started) };
      } catch (error) {
        if (!(error instanceof CultureLabError)) throw error;
        const ended = performance.now();
        const usage = callUsage(this.id, this.parameters, { promptTokens: 0, promptTokensEvaluated: 0, promptTokensCopied: 0, completionTokens: 0 }, ended - started, ended - started);
        run = signal.aborted
          ? { ok: false, failure: "aborted", message: "the call was aborted", usage }
          : { ok: false, failure: "server-error", message: `${this.remote.model} at ${this.remote.baseUrl}: ${error.explain()}`, usage };
      }
      this.host.record(run.usage);
      return run;
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}
