// LLM throughput benchmark (issue 3): this project's runtime against llama.cpp's own llama-batched-bench, on the
// same random ~85M-parameter llama (768 wide, 12 layers, F32) and thread count, measured side by side in
// interleaved rounds (the machine is shared, so only ratios from one run mean anything). Prints one table.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { availableParallelism, homedir } from "node:os";
import { join, resolve } from "node:path";
import type { LlamaContext } from "node-llama-cpp";
import { EngineClient } from "../../agents/engine/engineClient";
import { runtimeAddAgent, runtimeClose, runtimeGenerateText, runtimeOpen } from "../../agents/engine/protocol";
import { BENCH_SPEC, describeSpec, writeRandomLlama } from "../../agents/gguf/randomLlama";
import type { CallUsage } from "../../agents/runtime/accounting";
import { openRuntime } from "../../agents/runtime/runtime";
import type { RuntimeAgent } from "../../agents/runtime/runtime";

const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "culture-lab");
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
 * llama-batched-bench from the llama.cpp source node-llama-cpp ships, built once and cached. Built with
 * GGML_OPENMP=OFF like node-llama-cpp's prebuilt binaries (their CI build sets it), and GGML_NATIVE=ON: the
 * prebuilt picks its best CPU variant at runtime (GGML_CPU_ALL_VARIANTS), native is that variant or better.
 */
const BUILD_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=ON", "-DGGML_OPENMP=OFF", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_SERVER=OFF"];

function batchedBench(): string {
  const binary = join(cache, "bin", "llama-batched-bench");
  if (existsSync(binary)) return binary;
  const source = join(cache, "llama.cpp-src");
  const bundle = join(repoRoot, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
  if (!existsSync(source)) execFileSync("git", ["clone", "--quiet", bundle, source], { stdio: "inherit" });
  const build = join(source, "build-noomp");
  log(`building llama-batched-bench (${BUILD_FLAGS.join(" ")}); a few minutes, once`);
  const generator = spawnSync("ninja", ["--version"]).status === 0 ? ["-G", "Ninja"] : [];
  execFileSync("cmake", ["-S", source, "-B", build, ...generator, ...BUILD_FLAGS], { stdio: "inherit" });
  execFileSync("cmake", ["--build", build, "--target", "llama-batched-bench", "-j", String(availableParallelism())], { stdio: "inherit" });
  mkdirSync(join(cache, "bin"), { recursive: true });
  copyFileSync(join(build, "bin", "llama-batched-bench"), binary);
  return binary;
}

/** Generation throughput (tokens/s, all sequences together) at each batch size, from llama-batched-bench. */
function ceiling(binary: string, model: string): Map<number, number> {
  const out = execFileSync(
    binary,
    ["-m", model, "-c", String(8 * (NPP + NTG + 64)), "-b", "512", "-ub", "512", "-npp", String(NPP), "-ntg", String(NTG), "-npl", BATCHES.join(","), "-t", String(threads), "-tb", String(threads), "--output-format", "jsonl"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
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
  const binary = batchedBench();
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

  const config = { model, gpu: false as const, threads, contextSize: NPP + NTG + 96, agentsPerContext: 8, batchSize: 512 };
  const rt = await openRuntime(config, { onContextCreated: timeDecodes });
  const agents: RuntimeAgent[] = [];
  for (let i = 0; i < 8; i++) agents.push(await rt.agent({ id: `agent-${i}`, sampling: { seed: i, maxTokens: NTG, ignoreEos: true, temperature: 0.8 } }));

  const ours = new Map<string, number[]>();
  const theirs = new Map<number, number[]>();
  const overhead: number[] = [];
  const push = <K>(m: Map<K, number[]>, k: K, v: number) => m.set(k, [...(m.get(k) ?? []), v]);

  for (let round = 0; round < ROUNDS; round++) {
    for (const [pl, speed] of ceiling(binary, model)) push(theirs, pl, speed);
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
  const rows: Array<[string, number, number | undefined]> = [
    ["1 agent", one, median(theirs.get(1) ?? [])],
    ["2 agents, one context", median(ours.get("2 batched") ?? []), median(theirs.get(2) ?? [])],
    ["4 agents, one context", median(ours.get("4 batched") ?? []), median(theirs.get(4) ?? [])],
    ["8 agents, one context", median(ours.get("8 batched") ?? []), median(theirs.get(8) ?? [])],
    ["8 agents one after another", median(ours.get("8 one after another") ?? []), median(theirs.get(1) ?? [])],
  ];
  const f = (x: number | undefined, d = 1) => (x === undefined || Number.isNaN(x) ? "—" : x.toFixed(d));
  console.log(`\nLLM generation throughput — ${describeSpec(BENCH_SPEC)}, ${threads} threads, ${NPP}+${NTG} tokens per agent, median of ${ROUNDS}`);
  console.log(`${"".padEnd(28)}${"ours tok/s".padStart(12)}${"llama.cpp tok/s".padStart(17)}${"ours/llama.cpp".padStart(16)}`);
  for (const [name, mine, ref] of rows) console.log(`${name.padEnd(28)}${f(mine).padStart(12)}${f(ref).padStart(17)}${f(ref ? mine / ref : undefined, 2).padStart(16)}`);
  console.log(`\n8 agents batched / 1 agent:        ${f(median(ours.get("8 batched") ?? []) / one, 2)}×   (llama.cpp: ${f(median(theirs.get(8) ?? []) / median(theirs.get(1) ?? []), 2)}×)`);
  console.log(`8 batched / 8 one after another:   ${f(median(ours.get("8 batched") ?? []) / median(ours.get("8 one after another") ?? []), 2)}×`);
  console.log(`time outside llama.cpp decode, 1 agent in-process: ${f(100 * median(overhead))}% of call time`);
  console.log(`engine process boundary per call: ${f(median(ipcMs), 2)} ms = ${f(100 * median(ipcShare), 2)}% of call time`);
  console.log(`llama-batched-bench: ${binary} (${BUILD_FLAGS.filter((x) => /NATIVE|OPENMP/.test(x)).join(" ")}); sampling is included in ours, not in llama-batched-bench`);
}

await main();
