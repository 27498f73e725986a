// `culture-lab build-native`: compiles node-llama-cpp's llama.cpp for this CPU into ~/.cache/culture-lab/native,
// which the runtime then uses on its own (runtime.build "auto"). See agents/native/nativeBuild.ts.
import { rmSync } from "node:fs";
import { getModuleVersion } from "node-llama-cpp";
import { CultureLabError } from "../../workspace-kb/errors";
import { buildNative, nativeBuildDir } from "../native/nativeBuild";
import { describeBuild, inspectNativeBuild, nativeBuildLoads } from "../runtime/llamaBuild";
import { parseCommandArgs, usageError, type CliCommand, type CliIO } from "./command";

const help = `Usage: culture-lab build-native [--openmp on|off] [--force] [--remove]

Compiles the llama.cpp that node-llama-cpp ships (offline, from its bundled source) for this CPU: its own
instructions (GGML_NATIVE) and OpenMP's persistent thread pool instead of threads started at every decode.
The result goes to ~/.cache/culture-lab/native/build and is used from then on by every session on this
machine (runtime.build "auto"; "prebuilt" goes back to node-llama-cpp's binaries). Needs cmake, a C++
compiler and git (Debian/Ubuntu: sudo apt-get install cmake g++ git); takes a few minutes on two cores.
Measured gain and when it is worth it: agents/runtime/README.md.

Options:
  --openmp on|off   OpenMP's thread pool (default on: the faster, measured in agents/runtime/README.md),
                    or ggml's own threads, started at every decode
  --force           build again even if a build for this node-llama-cpp version exists
  --remove          delete the native build (sessions use the prebuilt binaries again)

On error (a missing tool, a failed compile, an interrupted build) the previous build, or none, stays in place:
a half build is never used, and a build that fails to load falls back to the prebuilt binaries with a warning.`;

export const buildNativeCommand: CliCommand = {
  name: "build-native",
  summary: "compile llama.cpp for this CPU (faster decoding; used automatically afterwards)",
  help,
  async run(args, io) {
    const parsed = parseCommandArgs("build-native", {
      args,
      options: { openmp: { type: "string", default: "on" }, force: { type: "boolean", default: false }, remove: { type: "boolean", default: false } },
    });
    const { openmp, force, remove } = parsed.values;
    if (openmp !== "on" && openmp !== "off") throw usageError("build-native", `--openmp takes on or off, not '${openmp}'.`);
    const dir = nativeBuildDir();
    if (remove) {
      rmSync(dir, { recursive: true, force: true });
      io.out(`removed ${dir}; sessions decode on node-llama-cpp's prebuilt binaries`);
      return 0;
    }
    const existing = inspectNativeBuild(dir, await getModuleVersion());
    if (!force && existing.state === "usable" && existing.info.openmp === (openmp === "on")) {
      io.out(`already built: ${describeBuild({ kind: "native", info: existing.info })} in ${dir}. Pass --force to build again.`);
      return 0;
    }
    const { info } = await buildNative({ openmp: openmp === "on" }, progress(io));
    io.status?.(undefined);
    if (!(await nativeBuildLoads(dir))) {
      throw new CultureLabError("native-build-failed", `the new build in ${dir} does not load (its test process failed); sessions keep using the prebuilt binaries`, "run again with --force; if it fails again, report the lines above");
    }
    io.out(`built in ${Math.round(info.buildSeconds / 6) / 10} min: ${describeBuild({ kind: "native", info })} in ${dir}`);
    io.out(`sessions on this machine now decode on it; runtime.build "prebuilt" goes back, --remove deletes it`);
    return 0;
  },
};

/**
 * cmake's lines: on a terminal, progress in one line in place and errors kept; in a log, its messages and every
 * tenth of the compile.
 */
function progress(io: CliIO): (line: string) => void {
  let shownTenth = -1;
  return (line) => {
    const step = /^\[(\d+)\/(\d+)\]/.exec(line);
    if (io.status && (step || !/error|warning|failed/i.test(line))) return io.status(line);
    if (!step) return io.err(line);
    const tenth = Math.floor((10 * Number(step[1])) / Number(step[2]));
    if (tenth > shownTenth) {
      shownTenth = tenth;
      io.err(`compiling: ${step[1]}/${step[2]}`);
    }
  };
}
