// One chat completion on an OpenAI-compatible server, streamed: the request body (persona as the system
// message, the agent's sampling, structured output the way the server asks for it) and the reading of the
// stream into text, a stop reason and the server's own token counts.
import { ServerProblem, request, type ServerTarget } from "./serverHttp";
import type { RemoteModel } from "./remoteModel";
import type { Sampling } from "../runtime/runtimeConfig";
import type { JsonSchema } from "../runtime/jsonOutput";

export interface ChatCall {
  persona: string;
  prompt: string;
  sampling: Sampling;
  seed: number;
  maxTokens: number;
  schema?: JsonSchema;
}

export function chatBody(model: RemoteModel, call: ChatCall): Record<string, unknown> {
  const s = call.sampling;
  const body: Record<string, unknown> = {
    model: model.model,
    messages: [...(call.persona ? [{ role: "system", content: call.persona }] : []), { role: "user", content: call.prompt }],
    stream: true,
    // The last event then carries the token counts (OpenAI, vLLM, llama-server; Ollama ≥ 0.5).
    stream_options: { include_usage: true },
    temperature: s.temperature,
    top_p: s.topP,
    max_tokens: call.maxTokens,
    seed: call.seed,
  };
  if (model.samplingFields === "extended") Object.assign(body, { top_k: s.topK, min_p: s.minP, repeat_penalty: s.repeatPenalty, ...(s.ignoreEos ? { ignore_eos: true } : {}) });
  if (call.schema && model.structuredOutput === "response_format") body.response_format = { type: "json_schema", json_schema: { name: "answer", schema: call.schema, strict: true } };
  if (call.schema && model.structuredOutput === "json_schema") body.json_schema = call.schema;
  return body;
}

export interface ChatOutcome {
  text: string;
  /** "max-tokens" when the server says it stopped at the length limit; otherwise the model ended the answer. */
  stopReason: "eog" | "max-tokens";
  /** The server's counts; undefined when it sent none (then the call's tokens are unknown, not guessed). */
  usage?: { promptTokens: number; completionTokens: number; promptTokensEvaluated: number };
  /** The model id the server reports answering with (it may differ from the name asked for). */
  servedModel?: string;
  firstTokenAt?: number;
}

interface Chunk {
  model?: string;
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } } | null;
  /** llama-server's own timings: prompt_n is the prompt tokens it actually decoded (the rest came from its cache). */
  timings?: { prompt_n?: number };
  error?: { message?: string } | string;
}

/** Streams one completion; throws a ServerProblem for a bad or cut stream (a cut stream may be retried). */
export async function streamChat(target: ServerTarget, model: RemoteModel, call: ChatCall, signal?: AbortSignal): Promise<ChatOutcome> {
  const url = `${target.baseUrl}/chat/completions`;
  const stream = await request(target, "/chat/completions", chatBody(model, call), "event-stream", signal);
  const outcome: ChatOutcome = { text: "", stopReason: "eog" };
  let finished = false;
  let done = false;
  let promptEvaluated: number | undefined;
  for await (const data of stream) {
    if (data === "[DONE]") {
      done = true;
      break;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch {
      throw new ServerProblem("remote-bad-response", `${url} sent an event that is not JSON: ${JSON.stringify(data.slice(0, 120))}`, "the server is not speaking the OpenAI streaming format: check baseUrl and the server's version", false);
    }
    if (chunk.error) {
      const said = typeof chunk.error === "string" ? chunk.error : (chunk.error.message ?? JSON.stringify(chunk.error));
      throw new ServerProblem("remote-refused", `${url} reported an error mid-answer: ${said}`, "see the server's log", false);
    }
    outcome.servedModel ??= chunk.model;
    for (const choice of chunk.choices ?? []) {
      const piece = choice.delta?.content;
      if (piece) {
        outcome.firstTokenAt ??= performance.now();
        outcome.text += piece;
      }
      if (choice.finish_reason) {
        finished = true;
        outcome.stopReason = choice.finish_reason === "length" ? "max-tokens" : "eog";
      }
    }
    if (chunk.timings?.prompt_n !== undefined) promptEvaluated = chunk.timings.prompt_n;
    if (chunk.usage) {
      const promptTokens = chunk.usage.prompt_tokens ?? 0;
      const cached = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      outcome.usage = { promptTokens, completionTokens: chunk.usage.completion_tokens ?? 0, promptTokensEvaluated: promptTokens - cached };
    }
  }
  if (!done && !finished) {
    // The connection ended mid-answer (a killed server, a dropped proxy): asking again may work.
    throw new ServerProblem("remote-cut", `${url} ended its stream before the answer was complete (${outcome.text.length} characters received)`, "the server stopped or restarted mid-answer: check its log", true);
  }
  if (outcome.usage && promptEvaluated !== undefined) outcome.usage.promptTokensEvaluated = promptEvaluated;
  return outcome;
}
