// LLM throughput benchmark (issue 3): this project's runtime against llama.cpp's own llama-batched-bench, on the
// same random ~85M-parameter llama (768 wide, 12 layers, F32) and thread count, measured side by side in
// interleaved rounds (the machine is shared, so only ratios from one run mean anything). Prints one table.
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import type { LlamaContext } from "node-llama-cpp";
import { EngineClient } from "../../agents/engine/engineClient";
import { runtimeAddAgent, runtimeClose, runtimeGenerateText, runtimeOpen } from "../../agents/engine/protocol";
import { buildLlamaCpp, cultureLabCache } from "../../agents/native/llamaCppSource";
import { BENCH_SPEC, describeSpec, writeRandomLlama } from "../../agents/gguf/randomLlama";
import type { CallUsage } from "../../agents/runtime/accounting";
import { openRuntime } from "../../agents/runtime/runtime";
import type { RuntimeAgent } from "../../agents/runtime/runtime";

const cache = cultureLabCache();
const threads = Number(process.env.CL_BENCH_THREADS ?? availableParallelism());
const NPP = Number(process.env.CL_BENCH_NPP ?? 32); // prompt tokens per agent (llama-batched-bench -npp)
const NTG = Number(process.env.CL_BENCH_NTG ?? 64); // generated tokens per agent (-ntg)
const ROUNDS = Number(process.env.CL_BENCH_ROUNDS ?? 3);
const BATCHES = [1, 2, 4, 8];
const repoRoot = resolve(import.meta.dirname, "..", "..");

const log = (text: string) => process.stderr.write(`${text}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function benchModel(): Promise<string> {
  const path = join(cache, "models", `bench-d${BENCH_SPEC.dim}-l${BENCH_SPEC.layers}-${BENCH_SPEC.type}.gguf`);
  if (!existsSync(path)) {
    mkdirSync(join(cache, "models"), { recursive: true });
    log(`writing ${describeSpec(BENCH_SPEC)} to ${path}`);
    await writeRandomLlama(path, BENCH_SPEC);
  }
  return path;
}

/**
 * llama-batched-bench from the llama.cpp source node-llama-cpp ships, built once and cached, in two forms:
 * - "native": GGML_NATIVE=ON (compiled for this CPU) and GGML_OPENMP=OFF like node-llama-cpp's prebuilt
 *   binaries (their CI build turns OpenMP off) — the ceiling the issue names;
 * - "same kernels": built with dynamically loaded backends, then run on node-llama-cpp's own prebuilt CPU
 *   backends (libggml-cpu-<variant>.so; ggml picks the best variant for this CPU as node-llama-cpp does), so the
 *   difference to ours is the runtime's, not the compiler's.
 */
const COMMON_FLAGS = ["-DGGML_OPENMP=OFF", "-DLLAMA_BUILD_SERVER=OFF"];
const NATIVE_FLAGS = [...COMMON_FLAGS, "-DGGML_NATIVE=ON", "-DBUILD_SHARED_LIBS=OFF"];
const DL_FLAGS = [...COMMON_FLAGS, "-DGGML_NATIVE=OFF", "-DGGML_BACKEND_DL=ON", "-DBUILD_SHARED_LIBS=ON"];
const prebuiltBins = join(repoRoot, "node_modules", "@node-llama-cpp", `${process.platform}-${process.arch}`, "bins", `${process.platform}-${process.arch}`);

interface Anchor {
  name: string;
  command: string;
  env: NodeJS.ProcessEnv;
}

const buildBatchedBench = (name: string, flags: string[]) => buildLlamaCpp({ name, flags, targets: ["llama-batched-bench"] }, log);

async function anchors(): Promise<Anchor[]> {
  const native = join(cache, "bin", "llama-batched-bench");
  if (!existsSync(native)) {
    const bin = await buildBatchedBench("build-noomp", NATIVE_FLAGS);
    mkdirSync(join(cache, "bin"), { recursive: true });
    copyFileSync(join(bin, "llama-batched-bench"), native);
  }
  const sameKernels = join(cache, "bb-prebuilt");
  if (!existsSync(join(sameKernels, "llama-batched-bench"))) {
    const bin = await buildBatchedBench("build-dl", DL_FLAGS);
    mkdirSync(sameKernels, { recursive: true });
    for (const f of readdirSync(bin)) if (f === "llama-batched-bench" || (f.endsWith(".so") || /\.so\.\d/.test(f)) && !f.startsWith("libggml-cpu")) cpSync(join(bin, f), join(sameKernels, f), { dereference: true });
  }
  // node-llama-cpp's CPU backends, swapped in fresh each run in case node-llama-cpp was updated.
  for (const f of readdirSync(prebuiltBins).filter((f) => /^libggml-cpu.*\.so$/.test(f))) copyFileSync(join(prebuiltBins, f), join(sameKernels, f));
  return [
    { name: "native", command: native, env: process.env },
    { name: "same kernels", command: join(sameKernels, "llama-batched-bench"), env: { ...process.env, LD_LIBRARY_PATH: sameKernels } },
  ];
}

/** Generation throughput (tokens/s, all sequences together) at each batch size, from llama-batched-bench. */
function ceiling(anchor: Anchor, model: string): Map<number, number> {
  const out = execFileSync(
    anchor.command,
    ["-m", model, "-c", String(8 * (NPP + NTG + 64)), "-b", "512", "-ub", "512", "-npp", String(NPP), "-ntg", String(NTG), "-npl", BATCHES.join(","), "-t", String(threads), "-tb", String(threads), "--output-format", "jsonl"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env: anchor.env },
  );
  const speeds = new Map<number, number>();
  for (const line of out.split("\n").filter((l) => l.startsWith("{"))) {
    const row = JSON.parse(line) as { pl: number; speed_tg: number };
    speeds.set(row.pl, row.speed_tg);
  }
  return speeds;
}

/** A prompt of about NPP tokens (byte-level vocabulary: about one token per character), distinct per call. */
const prompt = (tag: string) => `${tag} ${"abcdefghijklmnopqrstuvwxyz".repeat(4)}`.slice(0, NPP);

/** Generation-phase throughput of agents started together: tokens after the first, over the time after all first tokens. */
function batchedThroughput(started: number, usages: CallUsage[]): number {
  const firstAll = Math.max(...usages.map((u) => started + u.firstTokenMs));
  const endAll = Math.max(...usages.map((u) => started + u.wallMs));
  const tokens = usages.reduce((s, u) => s + u.completionTokens - 1, 0);
  return (tokens * 1000) / (endAll - firstAll);
}

async function main(): Promise<void> {
  const model = await benchModel();
  const references = await anchors();
  log(`model ${model}; threads ${threads}; prompt ${NPP}, generate ${NTG} tokens per agent; ${ROUNDS} rounds`);

  // Bench-only instrumentation: time spent inside llama.cpp's decode, by wrapping the native context object.
  let decodeMs = 0;
  const timeDecodes = (context: LlamaContext) => {
    const holder = context as unknown as { _ctx: Record<string, unknown> };
    const native = holder._ctx;
    const decode = (native.decodeBatch as () => Promise<void>).bind(native);
    holder._ctx = new Proxy(native, {
      get(target, key) {
        if (key === "decodeBatch")
          return async () => {
            const t = performance.now();
            try {
              return await decode();
            } finally {
              decodeMs += performance.now() - t;
            }
          };
        const value = target[key as string];
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };

  const config = { model, gpu: false as const, threads, contextSize: NPP + NTG + 96, agentsPerContext: 8, batchSize: 512, decoding: "batched" as const };
  const rt = await openRuntime(config, { onContextCreated: timeDecodes });
  const agents: RuntimeAgent[] = [];
  for (let i = 0; i < 8; i++) agents.push(await rt.agent({ id: `agent-${i}`, sampling: { seed: i, maxTokens: NTG, ignoreEos: true, temperature: 0.8 } }));

  const ours = new Map<string, number[]>();
  const theirs = new Map<string, number[]>();
  const overhead: number[] = [];
  const push = <K>(m: Map<K, number[]>, k: K, v: number) => m.set(k, [...(m.get(k) ?? []), v]);

  for (let round = 0; round < ROUNDS; round++) {
    for (const anchor of references) for (const [pl, speed] of ceiling(anchor, model)) push(theirs, `${anchor.name}/${pl}`, speed);
    for (const n of BATCHES) {
      decodeMs = 0;
      const started = performance.now();
      const results = await Promise.all(agents.slice(0, n).map((a, i) => a.generateText(prompt(`r${round}n${n}a${i}`))));
      const wall = performance.now() - started;
      push(ours, `${n} batched`, batchedThroughput(started, results.map((r) => r.usage)));
      if (n === 1) overhead.push(1 - decodeMs / wall);
    }
    let tokens = 0;
    let genMs = 0;
    for (const [i, a] of agents.entries()) {
      const r = await a.generateText(prompt(`r${round}s${i}`));
      tokens += r.usage.completionTokens - 1;
      genMs += r.usage.wallMs - r.usage.firstTokenMs;
    }
    push(ours, "8 one after another", (tokens * 1000) / genMs);
    log(`round ${round + 1}/${ROUNDS} done`);
  }
  await rt.dispose();

  // The engine boundary: the same call through the engine process; the difference is IPC and (de)serialisation.
  const client = await EngineClient.start();
  await client.request(runtimeOpen, { config });
  await client.request(runtimeAddAgent, { spec: { id: "e", sampling: { seed: 1, maxTokens: NTG, ignoreEos: true } } });
  const ipcShare: number[] = [];
  const ipcMs: number[] = [];
  for (let i = 0; i < 2 * ROUNDS; i++) {
    const t = performance.now();
    const r = await client.request(runtimeGenerateText, { agentId: "e", prompt: prompt(`engine${i}`) });
    const wall = performance.now() - t;
    ipcMs.push(wall - r.usage.wallMs);
    ipcShare.push((wall - r.usage.wallMs) / wall);
  }
  await client.request(runtimeClose, {});
  await client.dispose();

  const one = median(ours.get("1 batched") ?? []);
  const ref = (anchor: string, pl: number) => median(theirs.get(`${anchor}/${pl}`) ?? []);
  const rows: Array<[string, number, number]> = [
    ["1 agent", one, 1],
    ["2 agents, one context", median(ours.get("2 batched") ?? []), 2],
    ["4 agents, one context", median(ours.get("4 batched") ?? []), 4],
    ["8 agents, one context", median(ours.get("8 batched") ?? []), 8],
    ["8 agents one after another", median(ours.get("8 one after another") ?? []), 1],
  ];
  const f = (x: number | undefined, d = 1) => (x === undefined || Number.isNaN(x) ? "—" : x.toFixed(d));
  console.log(`\nLLM generation throughput — ${describeSpec(BENCH_SPEC)}, ${threads} thread(s), ${NPP}+${NTG} tokens per agent, median of ${ROUNDS}`);
  console.log(`llama.cpp = llama-batched-bench at the same batch size ("native" build; "same kernels" = on node-llama-cpp's prebuilt CPU backend)`);
  console.log(`${"".padEnd(28)}${"ours".padStart(8)}${"native".padStart(9)}${"ratio".padStart(7)}${"same kernels".padStart(14)}${"ratio".padStart(7)}   tok/s`);
  for (const [name, mine, pl] of rows) {
    const native = ref("native", pl);
    const same = ref("same kernels", pl);
    console.log(`${name.padEnd(28)}${f(mine).padStart(8)}${f(native).padStart(9)}${f(mine / native, 2).padStart(7)}${f(same).padStart(14)}${f(mine / same, 2).padStart(7)}`);
  }
  console.log(`\n8 agents batched / 1 agent:        ${f(median(ours.get("8 batched") ?? []) / one, 2)}×   (llama.cpp native: ${f(ref("native", 8) / ref("native", 1), 2)}×, same kernels: ${f(ref("same kernels", 8) / ref("same kernels", 1), 2)}×)`);
  console.log(`8 batched / 8 one after another:   ${f(median(ours.get("8 batched") ?? []) / median(ours.get("8 one after another") ?? []), 2)}×`);
  console.log(`time outside llama.cpp decode, 1 agent in-process: ${f(100 * median(overhead))}% of call time (sampling, scheduling, JS)`);
  console.log(`engine process boundary per call: ${f(median(ipcMs), 2)} ms = ${f(100 * median(ipcShare), 2)}% of call time`);
  console.log(`sampling is included in ours (llama-batched-bench does not sample); machine load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
}

await main();
