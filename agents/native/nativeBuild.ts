// node-llama-cpp's addon compiled for this CPU, offline, into the user's cache (never into node_modules, which
// may be shared and which `npm install` replaces). The prebuilt addon is compiled for a generic x86-64 and
// starts its decode threads anew at every decode; this build uses the CPU's own instructions (GGML_NATIVE) and,
// by default, OpenMP's persistent thread pool. The runtime loads it explicitly (see runtime/llamaBuild.ts).
//
// A build is only ever visible complete: it is assembled in a staging folder and renamed into place, so an
// interrupted or failed build leaves the previous one (or none) — never half a build that gets loaded.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { cmake, cultureLabCache, nodeLlamaCppDir, RELEASE_FLAGS } from "./llamaCppSource";

/** Where native builds live: ~/.cache/culture-lab/native. */
export const nativeDir = (): string => join(cultureLabCache(), "native");
/** The one native build the runtime loads, if it exists. */
export const nativeBuildDir = (): string => join(nativeDir(), "build");
/** Written last into a finished build: what it is. Its absence means "not a build". */
export const BUILD_INFO_FILE = "culture-lab-build.json";
/** The addon file node-llama-cpp's CMake project produces. */
export const ADDON_FILE = "llama-addon.node";

export interface NativeBuildOptions {
  /** OpenMP's persistent thread pool (true) or ggml's own threads, started at every decode (false). */
  openmp: boolean;
}

/** What culture-lab-build.json records; runtime/llamaBuild.ts checks it before loading. */
export interface NativeBuildInfo {
  nodeLlamaCpp: string;
  llamaCpp: { repo: string; release: string };
  openmp: boolean;
  flags: string[];
  builtAt: string;
  buildSeconds: number;
}

export const nativeFlags = (options: NativeBuildOptions): string[] => [
  "-DGGML_NATIVE=ON",
  `-DGGML_OPENMP=${options.openmp ? "ON" : "OFF"}`,
  // What node-llama-cpp's own build sets: no Metal, no network, no ccache, no extra programs.
  "-DGGML_METAL=OFF",
  "-DGGML_CCACHE=OFF",
  "-DGGML_BUILD_NUMBER=1",
  "-DLLAMA_BUILD_BORINGSSL=OFF",
  "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  "-DLLAMA_BUILD_TOOLS=OFF",
  "-DLLAMA_BUILD_SERVER=OFF",
];

const nodeLlamaCppVersion = (): string => (JSON.parse(readFileSync(join(nodeLlamaCppDir(), "package.json"), "utf8")) as { version: string }).version;

function llamaCppRelease(): { repo: string; release: string } {
  const info = JSON.parse(readFileSync(join(nodeLlamaCppDir(), "llama", "llama.cpp.info.json"), "utf8")) as { tag: string; llamaCppGithubRepo: string };
  return { repo: info.llamaCppGithubRepo, release: info.tag };
}

/**
 * node-llama-cpp's addon project (its llama/ folder) beside a private clone of its llama.cpp bundle with its
 * patches applied — private so the patches never touch the source tree other builds share. One per
 * node-llama-cpp version: an update gets a fresh copy.
 */
function addonSource(version: string, log: (line: string) => void): string {
  const source = join(nativeDir(), `source-${version}`);
  if (existsSync(join(source, "ready"))) return source;
  rmSync(source, { recursive: true, force: true });
  mkdirSync(source, { recursive: true });
  const llamaDir = join(nodeLlamaCppDir(), "llama");
  const bundle = join(llamaDir, "gitRelease.bundle");
  if (!existsSync(bundle)) throw new CultureLabError("native-build-source", `node-llama-cpp's llama.cpp source bundle is missing at ${bundle}`, "reinstall the packages with npm install");
  if (spawnSync("git", ["--version"]).error) throw new CultureLabError("native-build-tools", "building llama.cpp needs git, which is not installed", "install it (Debian/Ubuntu: sudo apt-get install git cmake g++), then run the command again");
  log(`cloning llama.cpp ${llamaCppRelease().release} from ${bundle}`);
  const clone = join(source, "llama.cpp-src");
  execFileSync("git", ["clone", "--quiet", bundle, clone], { stdio: ["ignore", "ignore", "inherit"] });
  for (const patch of readdirSync(join(llamaDir, "patches")).filter((f) => f.endsWith(".diff"))) {
    // node-llama-cpp applies these when it downloads the source; a patch already merged upstream is skipped.
    const path = join(llamaDir, "patches", patch);
    if (spawnSync("git", ["apply", "--check", path], { cwd: clone }).status === 0) execFileSync("git", ["apply", path], { cwd: clone });
    else log(`patch ${patch} does not apply (already in this release); skipped`);
  }
  const project = join(source, "addon-project");
  mkdirSync(project);
  for (const entry of ["CMakeLists.txt", "addon", "cmake", "profiles"]) cpSync(join(llamaDir, entry), join(project, entry), { recursive: true });
  symlinkSync(clone, join(project, "llama.cpp"));
  writeFileSync(join(source, "ready"), "");
  return source;
}

/**
 * node-addon-api's C++ headers (napi.h). Its CMake project asks Node for them from its own folder, which finds
 * nothing in our copy outside node_modules, so they are resolved from node-llama-cpp's folder and passed in.
 */
function nodeAddonApiHeaders(): string {
  const main = createRequire(join(nodeLlamaCppDir(), "package.json")).resolve("node-addon-api");
  return dirname(main);
}

/** Node's C headers (node_api.h), which cmake-js would download; Node's own installation ships them. */
function nodeHeaders(): string {
  const candidates = [join(dirname(dirname(process.execPath)), "include", "node"), "/usr/include/node"];
  const found = candidates.find((dir) => existsSync(join(dir, "node_api.h")));
  if (!found) throw new CultureLabError("native-build-tools", `building the addon needs Node's C headers (node_api.h), not found in ${candidates.join(" or ")}`, "install them (Debian/Ubuntu: sudo apt-get install libnode-dev), or use a Node installed from nodejs.org, which includes them");
  return found;
}

/**
 * Compiles the addon and installs it as the native build, replacing the previous one only once the new one is
 * complete. Returns the installed folder. cmake's output goes to `log` line by line (progress).
 */
export async function buildNative(options: NativeBuildOptions, log: (line: string) => void): Promise<{ dir: string; info: NativeBuildInfo }> {
  const started = performance.now();
  const version = nodeLlamaCppVersion();
  if (spawnSync("cmake", ["--version"]).error) throw new CultureLabError("native-build-tools", "building llama.cpp needs cmake, which is not installed", "install it (Debian/Ubuntu: sudo apt-get install cmake g++ git), then run the command again");
  const headers = nodeHeaders();
  const source = addonSource(version, log);
  const flags = nativeFlags(options);
  const work = join(nativeDir(), `work-${version}-${options.openmp ? "openmp" : "no-openmp"}`);
  const generator = spawnSync("ninja", ["--version"]).status === 0 ? ["-G", "Ninja"] : [];
  const platform = `${process.platform === "win32" ? "win" : process.platform === "darwin" ? "mac" : process.platform}-${process.arch}`;
  log(`configuring the addon for this CPU (${flags.slice(0, 2).join(" ")}) in ${work}`);
  await cmake(
    ["-S", join(source, "addon-project"), "-B", work, ...generator, ...RELEASE_FLAGS, ...flags, `-DCMAKE_JS_INC=${headers};${nodeAddonApiHeaders()}`, `-DNLC_CURRENT_PLATFORM=${platform}`, `-DNLC_TARGET_PLATFORM=${platform}`, "-DNLC_VARIANT=native"],
    work,
    log,
  );
  log(`compiling (a few minutes on two cores; an interrupted build resumes where it stopped)`);
  await cmake(["--build", work, "--target", "llama-addon", "-j", String(availableParallelism())], work, log);

  // Stage the addon and the libraries it loads (found beside it through its $ORIGIN run path), then swap.
  const staging = join(nativeDir(), `staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const file of builtFiles(work)) cpSync(file, join(staging, file.slice(file.lastIndexOf("/") + 1)), { dereference: true });
  if (!existsSync(join(staging, ADDON_FILE))) throw new CultureLabError("native-build-failed", `the build finished without producing ${ADDON_FILE}`, `see the lines above; the build folder is ${work}`);
  const llamaCpp = llamaCppRelease();
  // node-llama-cpp reads this file of each build it loads (the llama.cpp release, the build's options).
  writeFileSync(
    join(staging, "_nlcBuildMetadata.json"),
    JSON.stringify({ buildOptions: { customCmakeOptions: Object.fromEntries(flags.map((f) => f.slice(2).split("="))), progressLogs: true, platform: process.platform, platformInfo: { name: "", version: "" }, arch: process.arch, gpu: false, llamaCpp } }),
  );
  const info: NativeBuildInfo = { nodeLlamaCpp: version, llamaCpp, openmp: options.openmp, flags, builtAt: new Date().toISOString(), buildSeconds: Math.round((performance.now() - started) / 1000) };
  writeFileSync(join(staging, BUILD_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
  installBuild(staging, nativeBuildDir());
  return { dir: nativeBuildDir(), info };
}

/** Replaces `target` by the complete folder `staging`; at no moment is a partial folder at `target`. */
export function installBuild(staging: string, target: string): void {
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
}

/**
 * The addon and every shared library the build wrote. llama.cpp as a subproject leaves its libraries in their
 * own folders (src/, ggml/src/, common/); the addon finds them beside itself through its $ORIGIN run path.
 */
function builtFiles(work: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name !== "CMakeFiles") walk(join(dir, entry.name));
      } else if (entry.name === ADDON_FILE || /\.so(\.\d+)*$|\.dylib$/.test(entry.name)) files.push(join(dir, entry.name));
    }
  };
  walk(work);
  return files;
}
