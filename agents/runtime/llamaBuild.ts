// Which llama.cpp binary the runtime loads: node-llama-cpp's prebuilt addon (generic x86-64, threads started at
// every decode) or the native build `culture-lab build-native` put in ~/.cache/culture-lab/native/build (this
// CPU's instructions, OpenMP's persistent threads). node-llama-cpp only looks for builds inside its own package
// folder, which may be shared by several checkouts and is replaced by `npm install`; so the native build is
// loaded explicitly from the cache, through node-llama-cpp's own loader (its Llama class), and only after a
// child process has loaded it once — a build that crashes or no longer fits this CPU falls back to the
// prebuilt one with a warning, never takes the process down.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import type { Llama, LlamaLogLevel } from "node-llama-cpp";
import { CultureLabError } from "../../workspace-kb/errors";
import { ADDON_FILE, BUILD_INFO_FILE, nativeBuildDir } from "../native/nativeBuild";
import type { NativeBuildInfo } from "../native/nativeBuild";
import { nodeLlamaCppDir } from "../native/llamaCppSource";

export type LlamaBuildSetting = "auto" | "prebuilt" | "native";

const BuildInfoSchema = z.object({
  nodeLlamaCpp: z.string(),
  llamaCpp: z.object({ repo: z.string(), release: z.string() }),
  openmp: z.boolean(),
  flags: z.array(z.string()),
  builtAt: z.string(),
  buildSeconds: z.number(),
});

/** What is in the native build folder, judged without loading anything. */
export type NativeBuildState = { state: "none" } | { state: "usable"; dir: string; info: NativeBuildInfo } | { state: "unusable"; dir: string; reason: string };

export function inspectNativeBuild(dir: string, installedNodeLlamaCpp: string): NativeBuildState {
  if (!existsSync(dir)) return { state: "none" };
  let info: NativeBuildInfo;
  try {
    info = BuildInfoSchema.parse(JSON.parse(readFileSync(join(dir, BUILD_INFO_FILE), "utf8")));
  } catch {
    return { state: "unusable", dir, reason: `${join(dir, BUILD_INFO_FILE)} is missing or unreadable` };
  }
  if (!existsSync(join(dir, ADDON_FILE))) return { state: "unusable", dir, reason: `${ADDON_FILE} is missing from ${dir}` };
  if (info.nodeLlamaCpp !== installedNodeLlamaCpp) return { state: "unusable", dir, reason: `it was built for node-llama-cpp ${info.nodeLlamaCpp}, and ${installedNodeLlamaCpp} is installed` };
  return { state: "usable", dir, info };
}

/** The decision, before loading: the native build (its folder) or the prebuilt one, and a warning to show if any. */
export type BuildDecision = { use: "native"; dir: string; info: NativeBuildInfo } | { use: "prebuilt"; why: string; warning?: string };

const REBUILD_HINT = "run `culture-lab build-native` to build it again, or set runtime.build to \"prebuilt\"";

/**
 * "auto" takes a usable native build for a CPU-only runtime and the prebuilt binaries otherwise (a GPU is used
 * through them; the native build is CPU only); "native" insists, and says how to get the build if it is missing;
 * "prebuilt" never looks.
 */
export function decideBuild(setting: LlamaBuildSetting, native: NativeBuildState, gpuWanted: boolean): BuildDecision {
  if (setting === "prebuilt") return { use: "prebuilt", why: "as configured" };
  if (native.state === "usable") {
    if (setting === "auto" && gpuWanted) return { use: "prebuilt", why: "a GPU is available and the native build is CPU only" };
    return { use: "native", dir: native.dir, info: native.info };
  }
  if (setting === "native") {
    const what = native.state === "none" ? `there is no native build in ${nativeBuildDir()}` : `the native build in ${native.dir} cannot be used: ${native.reason}`;
    throw new CultureLabError("native-build-missing", `runtime.build is "native" but ${what}`, native.state === "none" ? "run `culture-lab build-native` (a few minutes, once), or set runtime.build to \"auto\"" : REBUILD_HINT);
  }
  if (native.state === "none") return { use: "prebuilt", why: "no native build (`culture-lab build-native` makes one)" };
  return { use: "prebuilt", why: "the native build cannot be used", warning: `the native llama.cpp build is not used: ${native.reason}; ${REBUILD_HINT}` };
}

/** One line for the log and the manifest: which binary decodes. */
export function describeBuild(build: { kind: "native"; info: NativeBuildInfo } | { kind: "prebuilt"; why: string }): string {
  if (build.kind === "prebuilt") return `prebuilt (node-llama-cpp's generic binaries; ${build.why})`;
  const { info } = build;
  return `native build (${info.llamaCpp.release}, this CPU's instructions, ${info.openmp ? "OpenMP thread pool" : "no OpenMP"}, built ${info.builtAt.slice(0, 10)})`;
}

export interface LoadOptions {
  maxThreads: number;
  logLevel: LlamaLogLevel;
  logger: (level: LlamaLogLevel, message: string) => void;
}

interface NodeLlamaCppInternals {
  Llama: { _create(options: Record<string, unknown>): Promise<Llama> };
  testBindingBinary(bindingPath: string, extBackendsPath: undefined, gpu: false): Promise<boolean>;
  defaultLlamaVramPadding: unknown;
  defaultLlamaRamPadding: unknown;
}

/** node-llama-cpp's loader pieces, from its own files so the classes are the ones the rest of it uses. */
async function internals(): Promise<NodeLlamaCppInternals> {
  const file = (path: string) => import(pathToFileURL(join(nodeLlamaCppDir(), "dist", "bindings", path)).href) as Promise<Record<string, unknown>>;
  const [llamaModule, testModule, getLlamaModule] = await Promise.all([file("Llama.js"), file("utils/testBindingBinary.js"), file("getLlama.js")]);
  const found = {
    Llama: llamaModule.Llama,
    testBindingBinary: testModule.testBindingBinary,
    defaultLlamaVramPadding: getLlamaModule.defaultLlamaVramPadding,
    defaultLlamaRamPadding: getLlamaModule.defaultLlamaRamPadding,
  };
  if (typeof (found.Llama as { _create?: unknown } | undefined)?._create !== "function" || typeof found.testBindingBinary !== "function") {
    throw new Error("this node-llama-cpp version has no Llama._create / testBindingBinary (its loader changed)");
  }
  return found as NodeLlamaCppInternals;
}

/** Whether the addon in `dir` loads, tried in a child process (a crash there is a "no" here). */
export async function nativeBuildLoads(dir: string): Promise<boolean> {
  const { testBindingBinary } = await internals();
  return testBindingBinary(join(dir, ADDON_FILE), undefined, false);
}

/**
 * Loads the native build in `dir`. Throws (with the reason) when it cannot: the caller falls back to the
 * prebuilt binaries. The addon is first loaded in a child process, as node-llama-cpp does with binaries built
 * elsewhere, so a build that crashes at load kills the child, not this process.
 */
export async function loadNativeLlama(dir: string, options: LoadOptions): Promise<Llama> {
  const { Llama, testBindingBinary, defaultLlamaVramPadding, defaultLlamaRamPadding } = await internals();
  const bindingPath = join(dir, ADDON_FILE);
  if (!(await testBindingBinary(bindingPath, undefined, false))) throw new Error(`${bindingPath} failed to load in a test process (built for another CPU, or broken)`);
  const buildMetadata = JSON.parse(readFileSync(join(dir, "_nlcBuildMetadata.json"), "utf8")) as unknown;
  const bindings = createRequire(import.meta.url)(bindingPath) as unknown;
  return Llama._create({
    bindings,
    bindingPath,
    extBackendsPath: undefined,
    buildType: "localBuild",
    buildMetadata,
    logLevel: options.logLevel,
    logger: options.logger,
    maxThreads: options.maxThreads,
    vramPadding: defaultLlamaVramPadding,
    ramPadding: defaultLlamaRamPadding,
    skipLlamaInit: false,
    debug: false,
    numa: false,
    tempDir: false,
  });
}
