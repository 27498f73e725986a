// Issue 13's one-agent gap at N threads, variant by variant: oneAgentProbe.ts in a fresh process per variant
// (thread-team settings are read when llama.cpp loads, the libuv pool size when it starts), interleaved over
// rounds with llama-batched-bench at one sequence (the anchor of bench:llm), medians printed side by side.
// `npm run bench:decode-pool` under the heavy-job lock. CL_PROBE_ONLY=<regex> picks variants;
// CL_PROBE_NO_OPENMP_CACHE=<XDG_CACHE_HOME> adds the native build found there (a build with --openmp off).
import { execFileSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { buildLlamaCpp } from "../../agents/native/llamaCppSource";
import { benchModel } from "./benchModel";

const log = (text: string) => process.stderr.write(`${text}\n`);
const THREADS = Number(process.env.CL_BENCH_THREADS ?? availableParallelism());
const ROUNDS = Number(process.env.CL_BENCH_ROUNDS ?? 3);
const NTG = 64;
/** Agents on one context per probe: CL_PROBE_AGENTS="1,8" measures both rows. */
const AGENTS = (process.env.CL_PROBE_AGENTS ?? "1").split(",").map(Number);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Variant {
  name: string;
  env: Record<string, string>;
}
const noOpenmpCache = process.env.CL_PROBE_NO_OPENMP_CACHE;
const clean = { OMP_WAIT_POLICY: "", GOMP_SPINCOUNT: "", OMP_PROC_BIND: "", UV_THREADPOOL_SIZE: "" };
const variants = ([
  { name: "native (as is)", env: { CL_BENCH_BUILD: "native" } },
  { name: "native UV_THREADPOOL_SIZE=1", env: { CL_BENCH_BUILD: "native", UV_THREADPOOL_SIZE: "1" } },
  { name: "native OMP_WAIT_POLICY=passive", env: { CL_BENCH_BUILD: "native", OMP_WAIT_POLICY: "passive" } },
  { name: "native OMP_WAIT_POLICY=active", env: { CL_BENCH_BUILD: "native", OMP_WAIT_POLICY: "active" } },
  { name: "native GOMP_SPINCOUNT=10M", env: { CL_BENCH_BUILD: "native", GOMP_SPINCOUNT: "10000000" } },
  { name: "native OMP_PROC_BIND=true", env: { CL_BENCH_BUILD: "native", OMP_PROC_BIND: "true" } },
  { name: "native UV=1 + active", env: { CL_BENCH_BUILD: "native", UV_THREADPOOL_SIZE: "1", OMP_WAIT_POLICY: "active" } },
  { name: "prebuilt", env: { CL_BENCH_BUILD: "prebuilt" } },
  { name: "prebuilt UV_THREADPOOL_SIZE=1", env: { CL_BENCH_BUILD: "prebuilt", UV_THREADPOOL_SIZE: "1" } },
  ...(noOpenmpCache ? [{ name: "native, OpenMP off", env: { CL_BENCH_BUILD: "native", XDG_CACHE_HOME: noOpenmpCache } }] : []),
  ...(noOpenmpCache ? [{ name: "native, OpenMP off, UV=1", env: { CL_BENCH_BUILD: "native", XDG_CACHE_HOME: noOpenmpCache, UV_THREADPOOL_SIZE: "1" } }] : []),
] as Variant[]).filter((v) => !process.env.CL_PROBE_ONLY || new RegExp(process.env.CL_PROBE_ONLY).test(v.name));

interface Probe {
  tokPerS: number;
  decodeMs: number;
  decodeMeanMs: number;
  gapMs: number;
  threadsTotal: number;
  cpuPerWall: number;
  busyThreads: string;
}

function probe(model: string, variant: Variant, agents: number): Probe {
  const env: NodeJS.ProcessEnv = { ...process.env, ...clean, ...variant.env, CL_PROBE_AGENTS: String(agents), CL_BENCH_MODEL: model, CL_BENCH_THREADS: String(THREADS), CL_BENCH_NTG: String(NTG) };
  for (const [k, v] of Object.entries(env)) if (v === "") delete env[k];
  const out = execFileSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "oneAgentProbe.ts")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Probe;
}

function anchor(bin: string, model: string, agents: number): number {
  const out = execFileSync(join(bin, "llama-batched-bench"), ["-m", model, "-c", String(agents * 512), "-b", "512", "-ub", "512", "-npp", "32", "-ntg", String(NTG), "-npl", String(agents), "-t", String(THREADS), "-tb", String(THREADS), "--output-format", "jsonl"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return (JSON.parse(out.split("\n").find((l) => l.startsWith("{"))!) as { speed_tg: number }).speed_tg;
}

const model = await benchModel(log);
const bin = await buildLlamaCpp({ name: "build-bench-native", flags: ["-DLLAMA_BUILD_SERVER=OFF", "-DGGML_NATIVE=ON", "-DBUILD_SHARED_LIBS=OFF"], targets: ["llama-batched-bench"] }, log);
const results = new Map<string, Probe[]>(AGENTS.flatMap((n) => variants.map((v) => [`${n}: ${v.name}`, []])));
const anchors = new Map<number, number[]>(AGENTS.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const n of AGENTS) {
    anchors.get(n)!.push(anchor(bin, model, n));
    for (const v of variants) results.get(`${n}: ${v.name}`)!.push(probe(model, v, n));
  }
  log(`round ${round + 1}/${ROUNDS} done (load ${loadavg()[0]!.toFixed(1)})`);
}
for (const n of AGENTS) {
  const a = median(anchors.get(n)!);
  console.log(`\n${n === 1 ? "One agent" : `${n} agents on one context`}, ${THREADS} threads, ${NTG} tokens per call, median of ${ROUNDS} interleaved rounds; llama-batched-bench (native, -npl ${n}): ${a.toFixed(1)} tok/s`);
  console.log(`| variant | tok/s | vs llama.cpp | ms in llama_decode (median, mean) | ms between decodes | CPU/wall | OS threads | busiest threads (CPU/wall), last round |`);
  console.log(`|---|---|---|---|---|---|---|---|`);
  for (const [name, runs] of [...results].filter(([key]) => key.startsWith(`${n}: `))) {
    const m = (f: (p: Probe) => number) => median(runs.map(f));
    console.log(
      `| ${name.slice(name.indexOf(": ") + 2)} | ${m((p) => p.tokPerS).toFixed(1)} | ${(m((p) => p.tokPerS) / a).toFixed(2)} | ${m((p) => p.decodeMs).toFixed(2)}, ${m((p) => p.decodeMeanMs).toFixed(2)} | ${m((p) => p.gapMs).toFixed(2)} | ${m((p) => p.cpuPerWall).toFixed(2)} | ${m((p) => p.threadsTotal)} | ${runs.at(-1)!.busyThreads} |`,
    );
  }
}
console.log(`machine load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
