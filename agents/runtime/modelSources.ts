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
import { resolvePypiModel } from "./pypiSource";

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
  try {
    return await resolveModelFile(uri, {
      directory: options.modelsDir,
      download: options.allowDownload ? "auto" : false,
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
    const message = (error as Error).message ?? String(error);
    if (!options.allowDownload) {
      throw new CultureLabError("model-missing", `${uri} is not in ${options.modelsDir} and downloads are turned off.`, OFFLINE_HINT, { cause: error });
    }
    if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network/i.test(message + String((error as { cause?: unknown }).cause))) {
      throw new CultureLabError("model-offline", `cannot download ${uri}: no network connection.`, OFFLINE_HINT, { cause: error });
    }
    throw new CultureLabError("model-download-failed", `cannot download ${uri}: ${message}`, "Check the URI (hf:<user>/<repo>:<quant>) or use a local .gguf file.", { cause: error });
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
