// How an agent names a model on an OpenAI-compatible inference server (llama-server, vLLM, Ollama, LM Studio):
// the server's API root, the model's name there, and the *name* of the environment variable holding the API key —
// never the key itself, so configurations, manifests and logs can be shared without leaking it.
import { z } from "zod";

export const RemoteModelSchema = z.strictObject({
  backend: z.literal("openai"),
  /** The API root, e.g. http://127.0.0.1:8080/v1 (requests go to `${baseUrl}/chat/completions`). */
  baseUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), { message: "an http:// or https:// address" })
    .transform((u) => u.replace(/\/+$/, "")),
  /** The model's name on the server (llama-server answers with whatever it loaded; vLLM and Ollama need the exact name). */
  model: z.string().min(1),
  /** The environment variable that holds the API key (sent as a Bearer token); none: no key is sent. */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable's name, e.g. OPENAI_API_KEY (not the key itself)")
    .optional(),
  /** Requests in flight to this server at once, over all agents naming it (the first agent seated there sets it); the server batches them. */
  maxConcurrent: z.number().int().min(1).max(1024).default(4),
  /** A request with no byte from the server for this long is given up (a hanging server never hangs a session). */
  idleTimeoutMs: z.number().int().min(100).default(120_000),
  /** Retries after a 429, a 5xx, a refused or reset connection or a cut stream; then the call is recorded as failed. */
  retries: z.number().int().min(0).max(20).default(4),
  /** First backoff; it doubles per retry (capped at 30 s) unless the server sends Retry-After. */
  retryBaseMs: z.number().int().min(1).default(500),
  /**
   * How structured output is asked for: "response_format" (OpenAI's json_schema; llama-server, vLLM, Ollama,
   * LM Studio read it), "json_schema" (llama-server's own field), or "none" (only the door check).
   */
  structuredOutput: z.enum(["response_format", "json_schema", "none"]).default("response_format"),
  /** "extended" also sends top_k, min_p, repeat_penalty, ignore_eos (llama-server, vLLM); "openai" only OpenAI's fields. */
  samplingFields: z.enum(["extended", "openai"]).default("extended"),
});
export type RemoteModel = z.infer<typeof RemoteModelSchema>;
export type RemoteModelInput = z.input<typeof RemoteModelSchema>;

/** One server as agents share it: the same address and key share one concurrency limit. */
export const serverKey = (m: RemoteModel): string => `${m.baseUrl} ${m.apiKeyEnv ?? ""}`;

/** Where a remote model is, in words for logs and manifests (no key). */
export const describeRemote = (m: RemoteModel): string => `${m.model} at ${m.baseUrl}`;
