// The GGUF files already on this machine, in the usual places (this project's cache, node-llama-cpp's models
// folder, LM Studio's, Ollama's blobs), for a user to pick. Plain file reading: no llama.cpp is loaded, so
// `culture-lab models` and the editor's model list start fast.
import { open, readdir, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { GGUF_MAGIC } from "../gguf/ggufFormat";

/** True when the file starts with the GGUF magic; used to spot GGUF blobs that have no .gguf name (Ollama). */
export async function hasGgufMagic(path: string): Promise<boolean> {
  const file = await open(path, "r");
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32LE(0) === GGUF_MAGIC;
  } finally {
    await file.close();
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
      // Ollama stores models as sha256-named blobs: recognise them by magic, not by name. A .gguf name is not
      // enough either: an empty or half-copied file would be offered and then fail to load.
      const named = source === "ollama" ? basename(path).startsWith("sha256") : path.toLowerCase().endsWith(".gguf");
      const isGguf = named && (await hasGgufMagic(path));
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
