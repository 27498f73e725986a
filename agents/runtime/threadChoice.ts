// How many CPU threads decode, when the user leaves it to us ("auto"). The prebuilt node-llama-cpp binaries
// attach no persistent thread pool, so every decode with more than one thread creates threads anew; on a busy
// machine a second thread can make decoding 100× slower (measured: the tiny model, 96 s vs 1 s per generation at
// load 7 on 2 cores), and spinning thread pools (the native build's OpenMP) suffer when the cores are taken. A
// small model gains nothing from a second thread; for a large one the cores the load average leaves idle are the
// candidates, and a short decode at 1 thread and at that many (threadCalibration.ts) decides between them.
import { stat } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";

/** Below this file size a model is decoded on one thread (the project's tiny model is ~3 MB; real ones ≥ 300 MB). */
export const SMALL_MODEL_BYTES = 64 * 1024 * 1024;

export interface ThreadChoice {
  threads: number;
  /** Why, in words for the log and the manifest. */
  reason: string;
  /** Set when the choice is provisional: decode a little at each of these counts and keep the fastest. */
  calibrate?: number[];
}

/** More threads must be this much faster per token to be chosen: fewer threads are the safer bet on a shared machine. */
export const MORE_THREADS_MARGIN = 1.1;

export interface CalibrationSample {
  threads: number;
  /** Median time to decode one token (one agent), from threadCalibration.ts. */
  msPerToken: number;
}

export interface MachineLoad {
  cores: number;
  /** One-minute load average: how many cores other programs keep busy. */
  load: number;
}

export function currentMachine(): MachineLoad {
  return { cores: availableParallelism(), load: loadavg()[0] ?? 0 };
}

export async function chooseThreads(setting: number | "auto", modelPath: string, machine: MachineLoad = currentMachine()): Promise<ThreadChoice> {
  if (setting !== "auto") return { threads: setting, reason: `${plural(setting)} as configured` };
  const bytes = await stat(modelPath).then((s) => s.size, () => Number.POSITIVE_INFINITY);
  return autoThreads(bytes, machine);
}

export function autoThreads(modelBytes: number, machine: MachineLoad): ThreadChoice {
  if (modelBytes < SMALL_MODEL_BYTES) {
    return { threads: 1, reason: `1 thread (auto: the model is ${megabytes(modelBytes)}; a small model gains nothing from more and stalls on a busy machine)` };
  }
  const idle = Math.max(1, Math.min(machine.cores, Math.round(machine.cores - machine.load)));
  return {
    threads: idle,
    reason: `${plural(idle)} (auto: ${machine.cores} CPU threads, load average ${machine.load.toFixed(1)}; set runtime.threads / --threads to override)`,
    ...(idle > 1 ? { calibrate: [1, idle] } : {}),
  };
}

/** The measured choice: the fastest count, unless fewer threads come within MORE_THREADS_MARGIN of it. */
export function pickCalibrated(samples: CalibrationSample[], machine: MachineLoad): ThreadChoice {
  const byThreads = [...samples].sort((a, b) => a.threads - b.threads);
  let best = byThreads[0]!;
  for (const s of byThreads.slice(1)) if (s.msPerToken * MORE_THREADS_MARGIN < best.msPerToken) best = s;
  const measured = byThreads.map((s) => `${s.msPerToken.toFixed(1)} ms/token at ${s.threads}`).join(", ");
  return {
    threads: best.threads,
    reason: `${plural(best.threads)} (auto: measured ${measured}; ${machine.cores} CPU threads, load average ${machine.load.toFixed(1)}; set runtime.threads / --threads to override)`,
  };
}

function plural(n: number): string {
  return `${n} ${n === 1 ? "thread" : "threads"}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
