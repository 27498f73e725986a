// A targeted probe for issue 13's one-agent gap: one agent generating on the bench model, in a process of its own
// whose environment the caller sets (OMP_WAIT_POLICY, GOMP_SPINCOUNT, UV_THREADPOOL_SIZE, XDG_CACHE_HOME for
// another native build…). Prints one JSON line: tokens/s of the generation phase, the time inside each
// llama_decode call and between two of them (the JS round trip: sampling, scheduling), and which OS threads of
// the process used the CPU meanwhile (from /proc/self/task), which shows thread teams that spin or pile up.
// Run many variants side by side with test/bench/oneAgentProbe.bench.ts.
import { readdirSync, readFileSync } from "node:fs";
import type { LlamaContext } from "node-llama-cpp";
import { openRuntime } from "../../agents/runtime/runtime";

const model = process.env.CL_BENCH_MODEL!;
const build = (process.env.CL_BENCH_BUILD ?? "native") as "prebuilt" | "native";
const threads = Number(process.env.CL_BENCH_THREADS ?? 2);
const NTG = Number(process.env.CL_BENCH_NTG ?? 64);
const CALLS = Number(process.env.CL_BENCH_CALLS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** CPU time (ms) per OS thread of this process, by thread id, with the thread's name. */
function threadTimes(): Map<string, { name: string; ms: number }> {
  const ticks = 10; // ms per clock tick (USER_HZ = 100 on Linux)
  const out = new Map<string, { name: string; ms: number }>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(tid, { name, ms: (Number(fields[11]) + Number(fields[12])) * ticks });
    } catch {
      // the thread ended between listing and reading
    }
  }
  return out;
}

const decodes: Array<{ start: number; end: number }> = [];
const timeDecodes = (context: LlamaContext) => {
  const holder = context as unknown as { _ctx: Record<string, unknown> };
  const native = holder._ctx;
  const decode = (native.decodeBatch as () => Promise<void>).bind(native);
  holder._ctx = new Proxy(native, {
    get(target, key) {
      if (key === "decodeBatch")
        return async () => {
          const start = performance.now();
          try {
            return await decode();
          } finally {
            decodes.push({ start, end: performance.now() });
          }
        };
      const value = target[key as string];
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
};

const rt = await openRuntime({ model, build, gpu: false, threads, contextSize: 256, agentsPerContext: 1, batchSize: 512, decoding: "batched" }, { onContextCreated: timeDecodes });
const agent = await rt.agent({ id: "probe", sampling: { seed: 1, maxTokens: NTG, ignoreEos: true, temperature: 0.8 } });
await agent.generateText("warm-up abcdefghijklmnopqrstuvwxyz");

const speeds: number[] = [];
decodes.length = 0;
const before = threadTimes();
const started = performance.now();
for (let i = 0; i < CALLS; i++) {
  const r = await agent.generateText(`call ${i} abcdefghijklmnopqrstuvwxyz`);
  speeds.push(((r.usage.completionTokens - 1) * 1000) / (r.usage.wallMs - r.usage.firstTokenMs));
}
const wall = performance.now() - started;
const after = threadTimes();
// Generation steps only: the first decode of each call is its prompt.
const steps = decodes.filter((_, i) => i % NTG !== 0);
const inside = steps.map((d) => d.end - d.start);
const gaps = decodes.slice(1).map((d, i) => d.start - decodes[i]!.end).filter((_, i) => (i + 1) % NTG !== 0);
const busy = [...after]
  .map(([tid, t]) => ({ tid, name: t.name, cpu: (t.ms - (before.get(tid)?.ms ?? 0)) / wall }))
  .filter((t) => t.cpu > 0.02)
  .sort((a, b) => b.cpu - a.cpu);
await rt.dispose();
process.stdout.write(
  `${JSON.stringify({
    build: rt.llamaBuild.description,
    tokPerS: median(speeds),
    decodeMs: median(inside),
    // The mean counts the rare slow decode (a thread started or descheduled) that the median hides.
    decodeMeanMs: inside.reduce((s, x) => s + x, 0) / inside.length,
    gapMs: median(gaps),
    threadsTotal: after.size,
    cpuPerWall: busy.reduce((s, t) => s + t.cpu, 0),
    busyThreads: busy.map((t) => `${t.name}:${t.cpu.toFixed(2)}`).join(" "),
  })}\n`,
);
