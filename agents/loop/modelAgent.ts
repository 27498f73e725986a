// A loop agent backed by a language model: the runtime's agent (one sequence of a shared, batched context)
// seen through the loop's port. A temperature override ("dreaming") uses a second runtime agent with the same
// persona and seed, made on first use, since sampling settings belong to a sequence.
import type { Runtime, RuntimeAgent } from "../runtime/runtime";
import type { Sampling } from "../runtime/runtimeConfig";
import type { AgentFactory, AgentReply, AgentRequest, LoopAgent } from "./agentPort";

export function modelAgentFactory(runtime: Runtime, sampling: Partial<Sampling> = {}): AgentFactory {
  return async (spec) => {
    const agent = await runtime.agent({ id: spec.id, persona: spec.persona, sampling: { ...sampling, seed: spec.seed } });
    return new ModelAgent(runtime, agent, spec.seed);
  };
}

class ModelAgent implements LoopAgent {
  private dreamers = new Map<number, Promise<RuntimeAgent>>();

  constructor(
    private readonly runtime: Runtime,
    private readonly model: RuntimeAgent,
    readonly seed: number,
  ) {}

  get id(): string {
    return this.model.id;
  }

  get persona(): string {
    return this.model.spec.persona;
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
