// The llama.cpp binding is loaded once per process and kept: it is process-wide state (its log callback is
// global, and node-llama-cpp does not re-attach a logger after a dispose), while everything that holds memory —
// models, contexts, sequences, grammars — is owned and disposed by each runtime.
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import type { Llama } from "node-llama-cpp";

export type LlamaLogListener = (level: LlamaLogLevel, message: string) => void;

const instances = new Map<string, Promise<Llama>>();
const listeners = new Set<LlamaLogListener>();

export function sharedLlama(gpu: "auto" | false, threads: number): Promise<Llama> {
  const key = `${gpu}/${threads}`;
  let llama = instances.get(key);
  if (!llama) {
    llama = getLlama({
      gpu,
      build: "never",
      maxThreads: threads,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        for (const listener of listeners) listener(level, message);
      },
    });
    instances.set(key, llama);
    llama.catch(() => instances.delete(key));
  }
  return llama;
}

/** Receive llama.cpp's log lines until the returned function is called. */
export function listenToLlamaLog(listener: LlamaLogListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
