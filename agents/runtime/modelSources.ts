// Where models come from: a reference ("tiny", a path, or an `hf:` URI) becomes a local file, and the usual
// folders (node-llama-cpp's, LM Studio's, Ollama's blobs) are searched for GGUF files a user can pick.
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { resolveModelFile } from "node-llama-cpp";
import { CultureLabError } from "../../workspace-kb/errors";
import { TINY_SPEC, writeRandomLlama } from "../gguf/randomLlama";
import { hasGgufMagic } from "./modelFile";

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

export const TINY_MODEL_NAME = "tiny";
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
  if (/^(hf:|huggingface:|https?:\/\/)/.test(reference)) return download(reference, options);
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

export interface FoundModel {
  path: string;
  /** Which usual place it was found in. */
  source: "culture-lab" | "node-llama-cpp" | "lm-studio" | "ollama" | "extra";
  /** A readable name: the file name, or the Ollama model:tag that points at the blob. */
  name: string;
  sizeBytes: number;
}

export function usualModelFolders(modelsDir: string): Array<{ dir: string; source: FoundModel["source"] }> {
  const home = homedir();
  const ollamaRoot = process.env.OLLAMA_MODELS;
  return [
    { dir: modelsDir, source: "culture-lab" },
    { dir: join(home, ".node-llama-cpp", "models"), source: "node-llama-cpp" },
    { dir: join(home, ".lmstudio", "models"), source: "lm-studio" },
    { dir: join(home, ".cache", "lm-studio", "models"), source: "lm-studio" },
    { dir: join(ollamaRoot ?? join(home, ".ollama", "models"), "blobs"), source: "ollama" },
    { dir: "/usr/share/ollama/.ollama/models/blobs", source: "ollama" },
  ];
}

/** GGUF files in the usual places (and `extraDirs`), largest first within each source. */
export async function discoverModels(modelsDir: string, extraDirs: string[] = []): Promise<FoundModel[]> {
  const folders = [...usualModelFolders(modelsDir), ...extraDirs.map((dir) => ({ dir, source: "extra" as const }))];
  const found: FoundModel[] = [];
  const seen = new Set<string>();
  for (const { dir, source } of folders) {
    const ollamaNames = source === "ollama" ? await ollamaBlobNames(join(dir, "..", "manifests")) : new Map<string, string>();
    for (const path of await walk(dir, 4)) {
      if (seen.has(path)) continue;
      // Ollama stores models as sha256-named blobs: recognise them by magic, not by name.
      const isGguf = source === "ollama" ? basename(path).startsWith("sha256") && (await hasGgufMagic(path)) : path.toLowerCase().endsWith(".gguf");
      if (!isGguf) continue;
      seen.add(path);
      const s = await stat(path);
      const name = ollamaNames.get(basename(path)) ?? basename(path);
      found.push({ path, source, name, sizeBytes: s.size });
    }
  }
  return found;
}

async function walk(dir: string, depth: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return []; // a usual place that does not exist on this machine
  }
  const files: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isFile()) files.push(path);
    else if (e.isDirectory() && depth > 0) files.push(...(await walk(path, depth - 1)));
  }
  return files;
}

/** Blob file name → "model:tag", read from Ollama's manifests (registry/library/<model>/<tag>). */
async function ollamaBlobNames(manifestsDir: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const manifest of await walk(manifestsDir, 4)) {
    let parsed: { layers?: Array<{ mediaType?: string; digest?: string }> };
    try {
      parsed = JSON.parse(await readFile(manifest, "utf8"));
    } catch {
      continue; // not a manifest; Ollama keeps nothing else there, but a stray file must not stop the listing
    }
    const model = parsed.layers?.find((l) => l.mediaType === "application/vnd.ollama.image.model");
    if (model?.digest) {
      const parts = manifest.split(/[\\/]/);
      names.set(model.digest.replace(":", "-"), `${parts.at(-2)}:${parts.at(-1)}`);
    }
  }
  return names;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
