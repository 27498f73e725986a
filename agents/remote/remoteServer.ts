// One inference server as the agents naming it share it: a limit on requests in flight (the server batches
// what arrives together; more would only queue there), what the server says it serves (checked once, when the
// first agent is seated, so a server that is down or refuses the key stops the session before it starts), and
// its embeddings endpoint.
import { CultureLabError } from "../../workspace-kb/errors";
import { ServerProblem, request, withRetries } from "./serverHttp";
import type { RemoteModel } from "./remoteModel";

export interface ServedModel {
  id: string;
  /** Parameters, when the server says (llama-server's `meta.n_params`); used for the FLOP estimate. */
  parameters?: number;
}

export class RemoteServer {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private served: Promise<ServedModel[]> | undefined;

  constructor(readonly settings: RemoteModel) {}

  get baseUrl(): string {
    return this.settings.baseUrl;
  }

  /** The models the server lists (GET /models); [] when it has no such endpoint. Throws when it is unreachable or refuses. */
  models(signal?: AbortSignal): Promise<ServedModel[]> {
    this.served ??= withRetries(this.settings, () => request(this.settings, "/models", undefined, "json", signal), signal).then(
      (body) => {
        const data = (body as { data?: Array<{ id?: unknown; meta?: { n_params?: unknown } }> }).data ?? [];
        return data.filter((m) => typeof m.id === "string").map((m) => ({ id: m.id as string, parameters: typeof m.meta?.n_params === "number" ? m.meta.n_params : undefined }));
      },
      (error: unknown) => {
        this.served = undefined;
        if (error instanceof ServerProblem && error.code === "remote-not-found") return [];
        throw error;
      },
    );
    return this.served;
  }

  /** Runs `task` once fewer than maxConcurrent requests are in flight to this server. */
  async limit<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.inFlight >= this.settings.maxConcurrent) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener("abort", stop);
          resolve();
        };
        const stop = () => {
          const at = this.waiting.indexOf(go);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new CultureLabError("cancelled", "the call was cancelled while waiting for the server"));
        };
        if (signal?.aborted) return stop();
        signal?.addEventListener("abort", stop, { once: true });
        this.waiting.push(go);
      });
    } else this.inFlight++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so the count never dips and lets a newcomer jump the queue.
      if (next) next();
      else this.inFlight--;
    }
  }

  /** Embedding vectors from POST /embeddings, in the order of `texts`. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const body = (await this.limit(() => withRetries(this.settings, () => request(this.settings, "/embeddings", { model: this.settings.model, input: texts }, "json", signal), signal), signal)) as {
      data?: Array<{ index?: number; embedding?: unknown }>;
    };
    const data = body.data;
    if (!Array.isArray(data) || data.length !== texts.length || !data.every((d) => Array.isArray(d.embedding) && d.embedding.every((x) => typeof x === "number"))) {
      throw new CultureLabError("remote-bad-response", `${this.baseUrl}/embeddings did not answer with one vector per text`, "check that the server offers embeddings for this model (llama-server needs --embeddings)");
    }
    return [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((d) => d.embedding as number[]);
  }
}
