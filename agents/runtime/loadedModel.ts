// One model file loaded once, with its chat template and a pool of shared contexts: each agent takes one
// sequence of a context, so all agents of a context are decoded together in llama.cpp batches.
import { resolveChatWrapper } from "node-llama-cpp";
import type { ChatHistoryItem, ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { CultureLabError } from "../../workspace-kb/errors";
import { inspectModelFile } from "./modelFile";
import type { ModelFileInfo } from "./modelFile";
import type { OpenRuntimeConfig } from "./runtimeConfig";
import { sequenceIdOf, stepBatching } from "./batchOrder";
import { PrefixShare } from "./prefixShare";
import { StepBarrier } from "./stepBarrier";

export interface RenderedPrompt {
  tokens: Token[];
  stopTokens: Set<Token>;
  stopTexts: string[];
}

/** An agent's place in a shared context: its sequence, the barrier of the agents it steps with, their prompt prefixes. */
export interface Seat {
  sequence: LlamaContextSequence;
  barrier: StepBarrier;
  slot: number;
  prefixes: PrefixShare;
}

export class LoadedModel {
  private readonly contexts: Array<{ context: LlamaContext; barrier: StepBarrier; prefixes: PrefixShare; seats: number }> = [];
  private seating: Promise<unknown> = Promise.resolve();
  private readonly chatWrapper: ChatWrapper;

  private constructor(
    readonly info: ModelFileInfo,
    readonly model: LlamaModel,
    private readonly config: OpenRuntimeConfig,
    private readonly onContext?: (context: LlamaContext) => void,
  ) {
    this.chatWrapper = resolveChatWrapper(model);
  }

  static async load(
    llama: Llama,
    path: string,
    config: OpenRuntimeConfig,
    signal?: AbortSignal,
    llamaErrors: () => string[] = () => [],
    onContext?: (context: LlamaContext) => void,
  ): Promise<LoadedModel> {
    const info = await inspectModelFile(path, llama);
    llamaErrors(); // forget lines from earlier loads
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: path, loadSignal: signal, gpuLayers: config.gpu === false ? 0 : "auto" });
    } catch (error) {
      if (signal?.aborted) throw new CultureLabError("cancelled", `loading ${path} was cancelled.`, undefined, { cause: error });
      // llama.cpp's log lines reach JS through the event loop, possibly after the rejection (long after, on a busy
      // machine): wait for its own words for up to a second.
      let said: string | undefined;
      for (let waited = 0; said === undefined && waited < 1000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        said = llamaErrors().find((line) => /error loading model/.test(line));
      }
      said ??= (error as Error).message;
      throw new CultureLabError("model-unloadable", `llama.cpp could not load ${path}: ${said.replace(/^.*error loading model:\s*/, "")}`, "The file may be damaged or made for a newer llama.cpp; try another model file.", { cause: error });
    }
    return new LoadedModel(info, model, config, onContext);
  }

  get chatTemplateName(): string {
    return this.chatWrapper.wrapperName;
  }

  /** How many contexts the model's agents are spread over (each holds up to agentsPerContext agents). */
  get contextCount(): number {
    return this.contexts.length;
  }

  /** A free sequence of a shared context, opening another context when all are taken. */
  takeSeat(): Promise<Seat> {
    // One at a time: agents added together must not each open a context of their own.
    const seat = this.seating.then(() => this.seatNow());
    this.seating = seat.catch(() => undefined);
    return seat;
  }

  private async seatNow(): Promise<Seat> {
    let shared = this.contexts.find((c) => c.context.sequencesLeft > 0);
    if (!shared) {
      const barrier = new StepBarrier();
      shared = { context: await this.createContext(barrier), barrier, prefixes: new PrefixShare(this.config.sharePrefixes && this.config.decoding === "batched"), seats: 0 };
      this.contexts.push(shared);
    }
    const sequence = shared.context.getSequence();
    const slot = sequenceIdOf(sequence, shared.seats++);
    shared.prefixes.forget(slot); // a sequence id freed by a disposed agent is handed out again
    return { sequence, barrier: shared.barrier, slot, prefixes: shared.prefixes };
  }

  private async createContext(barrier: StepBarrier): Promise<LlamaContext> {
    const ordering = stepBatching(barrier, { oneSequencePerDecode: this.config.decoding === "exact" });
    const context = await this.model.createContext({
      batching: { itemPrioritizationStrategy: ordering.strategy },
      sequences: this.config.agentsPerContext,
      contextSize: Math.min(this.config.contextSize, this.info.contextLength ?? this.config.contextSize),
      batchSize: this.config.batchSize,
      threads: this.config.threads,
    });
    ordering.attach(context);
    this.onContext?.(context);
    return context;
  }

  /**
   * Prompt and persona in the model's own chat template, as tokens, with what ends the model's turn. The persona
   * closes the user's message rather than opening the chat as a system message: what differs between agents comes
   * last, so agents given the same prompt share all of it but the persona (prefixShare.ts).
   */
  render(persona: string, prompt: string): RenderedPrompt {
    const text = persona.length > 0 ? `${prompt}\n\n${persona}` : prompt;
    const chatHistory: ChatHistoryItem[] = [{ type: "user", text }, { type: "model", response: [] }];
    const state = this.chatWrapper.generateContextState({ chatHistory });
    const stopTokens = new Set<Token>();
    const stopTexts: string[] = [];
    for (const trigger of state.stopGenerationTriggers) {
      const tokens = trigger.tokenize(this.model.tokenizer);
      if (tokens.length === 1 && this.model.isSpecialToken(tokens[0])) stopTokens.add(tokens[0]!);
      else if (!tokens.every((t) => this.model.isEogToken(t))) stopTexts.push(this.model.detokenize(tokens, true));
    }
    return { tokens: state.contextText.tokenize(this.model.tokenizer), stopTokens, stopTexts: stopTexts.filter((t) => t.length > 0) };
  }

  async dispose(): Promise<void> {
    for (const { context } of this.contexts) await context.dispose();
    this.contexts.length = 0;
    await this.model.dispose();
  }
}
