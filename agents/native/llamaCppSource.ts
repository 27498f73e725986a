// Programs built from the llama.cpp source node-llama-cpp ships (its git bundle), offline, once per machine, in
// the user's cache — never in the repository. The benchmark's anchors and the llama-server the remote backend is
// tested against come from the same source tree, so they are the llama.cpp release our runtime runs on.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, homedir } from "node:os";
import { dirname, join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";

/** ~/.cache/culture-lab (or $XDG_CACHE_HOME/culture-lab): built programs, models and the editor for tests. */
export const cultureLabCache = (): string => join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "culture-lab");

/** node-llama-cpp's package folder, found the way Node resolves it from here (works from source and from dist/). */
export function nodeLlamaCppDir(): string {
  // The package's entry is dist/index.js; its folder is two levels up. (Resolving only finds the file; the
  // ESM-only package is not loaded.)
  return dirname(dirname(createRequire(import.meta.url).resolve("node-llama-cpp")));
}

/** Flags every build here shares: a release build without network (curl) or tests. */
export const RELEASE_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF"];

export interface LlamaCppBuild {
  /** The build folder's name inside the source tree; one per set of flags. */
  name: string;
  flags: string[];
  /** CMake targets, e.g. "llama-batched-bench", "llama-server". */
  targets: string[];
}

const missingTool = (tool: string) =>
  new CultureLabError(
    "native-build-tools",
    `building llama.cpp needs ${tool}, which is not installed`,
    `install it (Debian/Ubuntu: sudo apt-get install cmake g++ git), then run the command again`,
  );

/** The source tree, cloned from node-llama-cpp's bundle on first use (a local clone: no network). */
export function llamaCppSource(log: (line: string) => void): string {
  const source = join(cultureLabCache(), "llama.cpp-src");
  if (existsSync(join(source, "CMakeLists.txt"))) return source;
  const bundle = join(nodeLlamaCppDir(), "llama", "gitRelease.bundle");
  if (!existsSync(bundle)) throw new CultureLabError("native-build-source", `node-llama-cpp's llama.cpp source bundle is missing at ${bundle}`, "reinstall the packages with npm install");
  if (spawnSync("git", ["--version"]).error) throw missingTool("git");
  log(`cloning llama.cpp from ${bundle}`);
  execFileSync("git", ["clone", "--quiet", bundle, source], { stdio: ["ignore", "ignore", "inherit"] });
  return source;
}

/**
 * The folder holding the build's binaries, building what is missing (minutes on a laptop, once). cmake's output
 * goes to `log` line by line as it comes, so a caller can show progress.
 */
export async function buildLlamaCpp(build: LlamaCppBuild, log: (line: string) => void): Promise<string> {
  const source = llamaCppSource(log);
  const dir = join(source, build.name);
  const bin = join(dir, "bin");
  const missing = build.targets.filter((t) => !existsSync(join(bin, t)));
  if (missing.length === 0) return bin;
  if (spawnSync("cmake", ["--version"]).error) throw missingTool("cmake");
  const generator = spawnSync("ninja", ["--version"]).status === 0 ? ["-G", "Ninja"] : [];
  log(`building ${missing.join(", ")} (${build.flags.join(" ")}) in ${dir}; a few minutes, once`);
  await cmake(["-S", source, "-B", dir, ...generator, ...RELEASE_FLAGS, ...build.flags], dir, log);
  await cmake(["--build", dir, "--target", ...missing, "-j", String(availableParallelism())], dir, log);
  return bin;
}

/** Runs cmake, its output to `log` line by line; a failure is a CultureLabError naming the build folder. */
export function cmake(args: string[], dir: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("cmake", args, { stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", (line) => line.trim() && log(line));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      code === 0
        ? resolve()
        : reject(new CultureLabError("native-build-failed", `cmake ${args[0]} ${args[1]} failed (${signal ?? `exit ${code}`})`, `see the lines above; the build folder is ${dir}`)),
    );
  });
}
