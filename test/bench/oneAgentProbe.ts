// A targeted probe for issue 13's one-agent gap: one agent (or CL_PROBE_AGENTS on one context) generating on the bench model, in a process of its own
// whose environment the caller sets (OMP_WAIT_POLICY, GOMP_SPINCOUNT, UV_THREADPOOL_SIZE, XDG_CACHE_HOME for
// another native build…). Prints one JSON line: tokens/s of the generation phase, the time inside each
// llama_decode call and between two of them (the JS round trip: sampling, scheduling), and which OS threads of
// the process used the CPU meanwhile (from /proc/self/task), which shows thread teams that spin or pile up.
// Run many variants side by side with test/bench/oneAgentProbe.bench.ts.
import { readdirSync, readFileSync } from "node:fs";
import { openRuntime } from "../../agents/runtime/runtime";
import { timeDecodes } from "./decodeTimer";

const model = process.env.CL_BENCH_MODEL!;
const build = (process.env.CL_BENCH_BUILD ?? "native") as "prebuilt" | "native";
const threads = Number(process.env.CL_BENCH_THREADS ?? 2);
const NTG = Number(process.env.CL_BENCH_NTG ?? 64);
const CALLS = Number(process.env.CL_BENCH_CALLS ?? 3);
/** Agents generating together on one context (1 = the one-agent row of bench:llm, 8 = its 8-agent row). */
const AGENTS = Number(process.env.CL_PROBE_AGENTS ?? 1);

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
const timeDecodesHook = timeDecodes((start, end) => decodes.push({ start, end }));

const rt = await openRuntime({ model, build, gpu: false, threads, contextSize: 256, agentsPerContext: AGENTS, batchSize: 512, decoding: "batched" }, { onContextCreated: timeDecodesHook });
const agents = await Promise.all(Array.from({ length: AGENTS }, (_, i) => rt.agent({ id: `probe-${i}`, sampling: { seed: i, maxTokens: NTG, ignoreEos: true, temperature: 0.8 } })));
await Promise.all(agents.map((a, i) => a.generateText(`warm-up ${i} abcdefghijklmnopqrstuvwxyz`)));

const speeds: number[] = [];
/** Per call, the generation phase: from the last agent's first token to the last agent's end. */
const windows: Array<{ from: number; to: number }> = [];
decodes.length = 0;
const before = threadTimes();
const started = performance.now();
for (let i = 0; i < CALLS; i++) {
  const t = performance.now();
  const usages = (await Promise.all(agents.map((a, j) => a.generateText(`call ${i} agent ${j} abcdefghijklmnopqrstuvwxyz`)))).map((r) => r.usage);
  const from = t + Math.max(...usages.map((u) => u.firstTokenMs));
  const to = t + Math.max(...usages.map((u) => u.wallMs));
  windows.push({ from, to });
  speeds.push((usages.reduce((s, u) => s + u.completionTokens - 1, 0) * 1000) / (to - from));
}
const wall = performance.now() - started;
const after = threadTimes();
// Generation steps only (prompt decodes left out): the decodes that start inside a call's generation phase.
const inWindow = (at: number) => windows.some((w) => at >= w.from && at <= w.to);
const steps = decodes.filter((d) => inWindow(d.start));
const inside = steps.map((d) => d.end - d.start);
const gaps = steps.slice(1).map((d, i) => d.start - steps[i]!.end).filter((_, i) => inWindow(steps[i]!.end));
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
