// The tests' model: the project's tiny random-weight GGUF, written into a fresh temp dir.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TINY_SPEC, writeRandomLlama } from "../../agents/gguf/randomLlama";

export interface TinyModelDir {
  dir: string;
  modelPath: string;
  cleanup(): Promise<void>;
}

export async function tinyModelDir(prefix = "cl-runtime-"): Promise<TinyModelDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const modelPath = join(dir, "tiny.gguf");
  await writeRandomLlama(modelPath, TINY_SPEC);
  return { dir, modelPath, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
