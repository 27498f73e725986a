// The HTTP door to an inference server: one request (JSON or a server-sent-event stream) with an idle timeout and
// the caller's AbortSignal, and a retry loop with capped exponential backoff for what a busy or restarting server
// does (429, 5xx, refused or reset connections, cut streams). Everything a server can do wrong becomes a
// ServerProblem whose message says what happened and what to do; nothing here waits forever.
import { CultureLabError } from "../../workspace-kb/errors";

export interface ServerTarget {
  baseUrl: string;
  apiKeyEnv?: string;
  idleTimeoutMs: number;
  retries: number;
  retryBaseMs: number;
}

/** A server misbehaved; `retryable` says whether asking again may help (a restarting server) or not (a 401). */
export class ServerProblem extends CultureLabError {
  constructor(
    code: string,
    message: string,
    hint: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, hint, options);
  }
}

const MAX_BACKOFF_MS = 30_000;

/** Runs `once` until it succeeds, fails for good, or has been retried `target.retries` times. */
export async function withRetries<T>(target: ServerTarget, once: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await once();
    } catch (error) {
      if (signal?.aborted || !(error instanceof ServerProblem) || !error.retryable) throw error;
      if (attempt >= target.retries) {
        throw new ServerProblem(error.code, `${error.message} (gave up after ${attempt + 1} attempts)`, error.hint ?? "", false, undefined, { cause: error });
      }
      const backoff = error.retryAfterMs ?? Math.min(MAX_BACKOFF_MS, target.retryBaseMs * 2 ** attempt);
      await sleep(backoff, signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The Authorization header from the named environment variable; a named but unset variable is the user's mistake. */
export function authHeaders(target: Pick<ServerTarget, "apiKeyEnv" | "baseUrl">): Record<string, string> {
  if (target.apiKeyEnv === undefined) return {};
  const key = process.env[target.apiKeyEnv];
  if (!key) {
    throw new CultureLabError(
      "remote-key-missing",
      `the API key for ${target.baseUrl} is read from the environment variable ${target.apiKeyEnv}, which is not set`,
      `set ${target.apiKeyEnv} in the environment Culture Lab starts from, or in VS Code store the key with "Culture Lab: Set Server API Key…" (or drop apiKeyEnv if the server needs no key)`,
    );
  }
  return { authorization: `Bearer ${key}` };
}

/**
 * A watchdog: aborts the request when no byte has arrived for `idleMs`. `touch()` on every chunk; `stop()` when
 * done. The caller's signal aborts it too.
 */
class Watchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;
  readonly signal: AbortSignal;
  constructor(
    readonly idleMs: number,
    outer?: AbortSignal,
  ) {
    this.signal = outer ? AbortSignal.any([outer, this.controller.signal]) : this.controller.signal;
    this.touch();
  }
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.idleMs);
  }
  stop(): void {
    clearTimeout(this.timer);
  }
}

export type Wanted = "json" | "event-stream";

/**
 * One request. Resolves with the response's JSON body, or for a stream with an async iterator of its `data:`
 * payloads (ending with `"[DONE]"` when the server finished properly). Throws a ServerProblem.
 */
export async function request(target: ServerTarget, path: string, body: unknown, wanted: "json", signal?: AbortSignal): Promise<unknown>;
export async function request(target: ServerTarget, path: string, body: unknown, wanted: "event-stream", signal?: AbortSignal): Promise<AsyncGenerator<string>>;
export async function request(target: ServerTarget, path: string, body: unknown, wanted: Wanted, signal?: AbortSignal): Promise<unknown> {
  const url = `${target.baseUrl}${path}`;
  // Outside the transport's try: a missing key is the user's to fix, not a connection to retry.
  const auth = authHeaders(target);
  const dog = new Watchdog(target.idleTimeoutMs, signal);
  let response: Response;
  try {
    response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: { ...auth, ...(body === undefined ? {} : { "content-type": "application/json" }), accept: wanted === "json" ? "application/json" : "text/event-stream" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: dog.signal,
    });
  } catch (error) {
    dog.stop();
    throw transportProblem(error, url, dog, signal);
  }
  try {
    dog.touch();
    if (!response.ok) throw await statusProblem(response, url);
    const type = response.headers.get("content-type") ?? "";
    if (!type.includes(wanted === "json" ? "json" : "text/event-stream")) {
      throw new ServerProblem(
        "remote-bad-response",
        `${url} answered with content type "${type || "none"}", not ${wanted === "json" ? "application/json" : "text/event-stream"}`,
        "check that baseUrl is the server's OpenAI-compatible API root (usually ending in /v1)",
        false,
      );
    }
  } catch (error) {
    dog.stop();
    await response.body?.cancel().catch(() => undefined);
    throw error instanceof ServerProblem ? error : transportProblem(error, url, dog, signal);
  }
  if (wanted === "json") {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw transportProblem(error, url, dog, signal);
    } finally {
      dog.stop();
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new ServerProblem("remote-bad-response", `${url} sent a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, "check that baseUrl points at an OpenAI-compatible server", false);
    }
  }
  return events(response, url, dog, signal);
}

/** The `data:` payloads of a server-sent-event stream, one per event. */
async function* events(response: Response, url: string, dog: Watchdog, signal?: AbortSignal): AsyncGenerator<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw transportProblem(error, url, dog, signal);
      }
      if (chunk.done) break;
      dog.touch();
      buffer += chunk.value;
      let end: number;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer[end] === "\r" ? 4 : 2));
        const data = event
          .split(/\r?\n/)
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).replace(/^ /, ""))
          .join("\n");
        if (data !== "") yield data;
      }
    }
  } finally {
    dog.stop();
    await reader.cancel().catch(() => undefined);
  }
}

function transportProblem(error: unknown, url: string, dog: Watchdog, signal?: AbortSignal): Error {
  if (signal?.aborted) return new CultureLabError("cancelled", `the request to ${url} was cancelled`);
  if (dog.timedOut) {
    return new ServerProblem("remote-timeout", `${url} sent nothing for ${dog.idleMs / 1000} s`, "the server hangs or is overloaded: check it, or raise idleTimeoutMs for slow models", false);
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new ServerProblem(
    "remote-unreachable",
    `cannot talk to ${url} (${why})`,
    "start the inference server, or fix baseUrl (e.g. http://127.0.0.1:8080/v1 for llama-server)",
    true,
    undefined,
    { cause: error },
  );
}

async function statusProblem(response: Response, url: string): Promise<ServerProblem> {
  const text = (await response.text().catch(() => "")).slice(0, 300);
  let said = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } | string };
    said = typeof parsed.error === "string" ? parsed.error : (parsed.error?.message ?? text);
  } catch {
    // Not JSON: the raw text (cut) is what the server said.
  }
  const status = response.status;
  const message = `${url} answered ${status} ${response.statusText}${said ? `: ${said}` : ""}`;
  if (status === 401 || status === 403) {
    return new ServerProblem("remote-unauthorized", message, "set the API key in the environment variable named by apiKeyEnv, or in VS Code with \"Culture Lab: Set Server API Key…\" (the key is never read from the configuration)", false);
  }
  if (status === 429 || status >= 500) {
    const retryAfter = Number(response.headers.get("retry-after"));
    return new ServerProblem("remote-busy", message, "the server is overloaded or restarting: lower maxConcurrent, or check the server's log", true, Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, MAX_BACKOFF_MS) : undefined);
  }
  if (status === 404) return new ServerProblem("remote-not-found", message, "check baseUrl (the API root, usually ending in /v1) and the model's name on the server", false);
  return new ServerProblem("remote-refused", message, "the server refused the request: check the model name and the settings named in its message", false);
}
