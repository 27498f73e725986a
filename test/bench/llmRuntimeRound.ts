// One round of `npm run bench:llm` for our runtime, in a process of its own (a process loads one llama.cpp
// build: the prebuilt or the native one; see agents/runtime/sharedLlama.ts). Reads what to run from the
// environment and prints one JSON line: tokens/s per row key and the share of a call outside llama.cpp's decode.
import type { CallUsage } from "../../agents/runtime/accounting";
import { openRuntime } from "../../agents/runtime/runtime";
import type { RuntimeAgent } from "../../agents/runtime/runtime";
import { timeDecodes } from "./decodeTimer";

const model = process.env.CL_BENCH_MODEL!;
const build = process.env.CL_BENCH_BUILD as "prebuilt" | "native";
const threads = Number(process.env.CL_BENCH_THREADS);
const NPP = Number(process.env.CL_BENCH_NPP);
const NTG = Number(process.env.CL_BENCH_NTG);
const round = Number(process.env.CL_BENCH_ROUND ?? 0);
const BATCHES = [1, 2, 4, 8];

/** A prompt of about NPP tokens (byte-level vocabulary: about one token per character), distinct per call. */
const prompt = (tag: string) => `${tag} ${"abcdefghijklmnopqrstuvwxyz".repeat(4)}`.slice(0, NPP);

/** Generation-phase throughput of agents started together: tokens after the first, over the time after all first tokens. */
function batchedThroughput(started: number, usages: CallUsage[]): number {
  const firstAll = Math.max(...usages.map((u) => started + u.firstTokenMs));
  const endAll = Math.max(...usages.map((u) => started + u.wallMs));
  const tokens = usages.reduce((s, u) => s + u.completionTokens - 1, 0);
  return (tokens * 1000) / (endAll - firstAll);
}

// Time spent inside llama.cpp's decode.
let decodeMs = 0;
const timeDecodesHook = timeDecodes((start, end) => (decodeMs += end - start));

// "batched" on purpose: the runtime's default, "exact", decodes one agent per llama.cpp call (for exact replay).
const config = { model, build, gpu: false as const, threads, contextSize: NPP + NTG + 96, agentsPerContext: 8, batchSize: 512, decoding: "batched" as const };
const rt = await openRuntime(config, { onContextCreated: timeDecodesHook });
if (rt.llamaBuild.warning || !rt.llamaBuild.description.startsWith(build)) throw new Error(`asked for the ${build} build, got ${rt.llamaBuild.description} ${rt.llamaBuild.warning ?? ""}`);
const agents: RuntimeAgent[] = [];
for (let i = 0; i < 8; i++) agents.push(await rt.agent({ id: `agent-${i}`, sampling: { seed: i, maxTokens: NTG, ignoreEos: true, temperature: 0.8 } }));
// One warm-up call: the first decode allocates buffers (and, with OpenMP, starts the thread pool).
await agents[0]!.generateText(prompt("warm-up"));

const speeds: Record<string, number> = {};
let outsideDecode = NaN;
for (const n of BATCHES) {
  decodeMs = 0;
  const started = performance.now();
  const results = await Promise.all(agents.slice(0, n).map((a, i) => a.generateText(prompt(`r${round}n${n}a${i}`))));
  const wall = performance.now() - started;
  speeds[`${n} batched`] = batchedThroughput(started, results.map((r) => r.usage));
  if (n === 1) outsideDecode = 1 - decodeMs / wall;
}
let tokens = 0;
let genMs = 0;
for (const [i, a] of agents.entries()) {
  const r = await a.generateText(prompt(`r${round}s${i}`));
  tokens += r.usage.completionTokens - 1;
  genMs += r.usage.wallMs - r.usage.firstTokenMs;
}
speeds["8 one after another"] = (tokens * 1000) / genMs;
await rt.dispose();
process.stdout.write(`${JSON.stringify({ build: rt.llamaBuild.description, speeds, outsideDecode })}\n`);
