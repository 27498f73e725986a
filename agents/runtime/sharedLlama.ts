// The llama.cpp binding is loaded once per process and kept: it is process-wide state (its log callback is
// global, and node-llama-cpp does not re-attach a logger after a dispose), while everything that holds memory —
// models, contexts, sequences, grammars — is owned and disposed by each runtime. Which binary is loaded (the
// prebuilt one or this machine's native build) is decided here, once per setting; see llamaBuild.ts.
import { getLlama, getLlamaGpuTypes, getModuleVersion, LlamaLogLevel } from "node-llama-cpp";
import type { Llama } from "node-llama-cpp";
import { nativeBuildDir } from "../native/nativeBuild";
import { decideBuild, describeBuild, inspectNativeBuild, loadNativeLlama } from "./llamaBuild";
import type { LlamaBuildSetting } from "./llamaBuild";
import { describeDecodeThreads } from "./decodeThread";
import { CultureLabError } from "../../workspace-kb/errors";

export type LlamaLogListener = (level: LlamaLogLevel, message: string) => void;

export interface LoadedLlama {
  llama: Llama;
  /**
   * Which binary decodes and on which threads, in one line for the log and the manifest ("native build (…);
   * decodes on one libuv worker (…)" or "prebuilt (…); …").
   */
  build: string;
  /** Set when a native build exists but could not be used; say it to the user. */
  warning?: string;
}

const instances = new Map<string, Promise<LoadedLlama>>();
const listeners = new Set<LlamaLogListener>();
/**
 * The kind of binary this process loaded. The two kinds ship libraries of the same names (libggml-base.so), which
 * the dynamic loader would share between them, so one process never loads both.
 */
let loadedKind: "native" | "prebuilt" | undefined;

export function sharedLlama(gpu: "auto" | false, threads: number, build: LlamaBuildSetting = "auto"): Promise<LoadedLlama> {
  const key = `${gpu}/${threads}/${build}`;
  let loaded = instances.get(key);
  if (!loaded) {
    loaded = loadLlama(gpu, threads, build);
    instances.set(key, loaded);
    loaded.catch(() => instances.delete(key));
  }
  return loaded;
}

const logOptions = {
  logLevel: LlamaLogLevel.warn,
  logger: (level: LlamaLogLevel, message: string) => {
    for (const listener of listeners) listener(level, message);
  },
};

async function loadLlama(gpu: "auto" | false, threads: number, setting: LlamaBuildSetting): Promise<LoadedLlama> {
  const native = inspectNativeBuild(nativeBuildDir(), await getModuleVersion());
  // Only "auto" on a machine with a usable native build needs to know whether a GPU is there.
  const gpuWanted = setting === "auto" && native.state === "usable" && gpu === "auto" && (await getLlamaGpuTypes("supported")).some((type) => type !== false);
  let decision = loadedKind === "prebuilt" && setting === "auto" ? { use: "prebuilt" as const, why: "this process already uses them" } : decideBuild(setting, native, gpuWanted);
  let warning = decision.use === "prebuilt" ? decision.warning : undefined;
  if (decision.use === "native") {
    if (loadedKind === "prebuilt") throw new CultureLabError("llama-build-mixed", "this process already loaded the prebuilt llama.cpp binaries, so it cannot load the native build too", "use one runtime.build setting per process (the engine process of a session is one)");
    try {
      const llama = await loadNativeLlama(decision.dir, { maxThreads: threads, ...logOptions });
      loadedKind = "native";
      return { llama, build: `${describeBuild({ kind: "native", info: decision.info })}; ${describeDecodeThreads()}` };
    } catch (error) {
      warning = `the native llama.cpp build in ${decision.dir} failed to load (${(error as Error).message}); decoding on the prebuilt binaries. Run \`culture-lab build-native\` to build it again, or set runtime.build to "prebuilt"`;
      decision = { use: "prebuilt", why: "the native build failed to load" };
    }
  }
  if (loadedKind === "native") throw new CultureLabError("llama-build-mixed", "this process already loaded the native llama.cpp build, so it cannot load the prebuilt binaries too", "use one runtime.build setting per process (the engine process of a session is one)");
  const llama = await getLlama({ gpu, build: "never", maxThreads: threads, ...logOptions });
  loadedKind = "prebuilt";
  return { llama, build: `${describeBuild({ kind: "prebuilt", why: decision.why })}; ${describeDecodeThreads()}`, warning };
}

/** Receive llama.cpp's log lines until the returned function is called. */
export function listenToLlamaLog(listener: LlamaLogListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
