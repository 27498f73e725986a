// A loop agent backed by a language model: the runtime's agent (one sequence of a shared, batched context)
// seen through the loop's port. A temperature override ("dreaming") uses a second runtime agent with the same
// persona and seed, made on first use, since sampling settings belong to a sequence.
import type { Runtime, RuntimeAgent } from "../runtime/runtime";
import type { Sampling } from "../runtime/runtimeConfig";
import type { AgentFactory, AgentReply, AgentRequest, LoopAgent } from "./agentPort";
import type { PopulationMember } from "./loopConfig";

/**
 * `memberAt(index)`: a mixed population's entry for an agent (its own model, persona, sampling), laid over the
 * session's sampling and the population's persona.
 */
export function modelAgentFactory(
  runtime: Runtime,
  sampling: Partial<Sampling> = {},
  memberAt: (index: number) => PopulationMember | undefined = () => undefined,
  /** Told every call an inference server could not answer ("server-error"), with the reason. */
  onServerError: (message: string) => void = () => undefined,
): AgentFactory {
  return async (spec) => {
    const member = memberAt(spec.index);
    const agent = await runtime.agent({
      id: spec.id,
      model: member?.model,
      persona: member?.persona ?? spec.persona,
      sampling: { ...sampling, ...member?.sampling, seed: spec.seed },
    });
    return new ModelAgent(runtime, agent, spec.seed, onServerError);
  };
}

class ModelAgent implements LoopAgent {
  private dreamers = new Map<number, Promise<RuntimeAgent>>();

  constructor(
    private readonly runtime: Runtime,
    private readonly model: RuntimeAgent,
    readonly seed: number,
    private readonly onServerError: (message: string) => void = () => undefined,
  ) {}

  get id(): string {
    return this.model.id;
  }

  get persona(): string {
    return this.model.spec.persona;
  }

  /** Which model answers this agent, in words (a mixed population's agents differ). */
  get modelName(): string | undefined {
    const model = this.model.spec.model;
    return typeof model === "object" ? `${model.model} (${model.baseUrl})` : model;
  }

  get sampling(): Record<string, unknown> {
    return { ...this.model.spec.sampling };
  }

  async reply(request: AgentRequest): Promise<AgentReply> {
    const model = request.temperature === undefined ? this.model : await this.dreamer(request.temperature);
    const started = performance.now();
    const options = { signal: request.signal, maxTokens: request.maxTokens, seed: request.seed };
    const result = request.schema
      ? await model.generateJson(request.prompt, request.schema as Record<string, unknown>, options)
      : await model.generateText(request.prompt, options);
    const usage = {
      promptTokens: result.usage.promptTokens,
      promptTokensEvaluated: result.usage.promptTokensEvaluated,
      promptTokensCopied: result.usage.promptTokensCopied,
      completionTokens: result.usage.completionTokens,
      ms: performance.now() - started,
    };
    if (!result.ok && result.failure === "server-error") this.onServerError(result.message);
    if (!result.ok) return { ok: false, reason: result.failure, message: result.message, text: result.text, usage };
    return { ok: true, value: "value" in result ? result.value : result.text, text: result.text, usage };
  }

  async dispose(): Promise<void> {
    const dreamers = await Promise.allSettled(this.dreamers.values());
    for (const d of dreamers) if (d.status === "fulfilled") await d.value.dispose();
    await this.model.dispose();
  }

  private dreamer(temperature: number): Promise<RuntimeAgent> {
    let dreamer = this.dreamers.get(temperature);
    if (!dreamer) {
      const spec = this.model.spec;
      dreamer = this.runtime.agent({ id: `${spec.id}~t${temperature}`, model: spec.model, persona: spec.persona, sampling: { ...spec.sampling, temperature } });
      this.dreamers.set(temperature, dreamer);
    }
    return dreamer;
  }
}
