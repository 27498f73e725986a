// npm run bench:sandbox — how fast the sandbox verifies typical problems (target ≥ 1,000 verifications/s), what
// isolation costs (fresh runtime vs fresh context vs shared context, engine thread vs worker, side by side), how far past
// its deadline a hostile program is stopped (target < 100 ms). Timings are noisy on a shared machine; the
// figures are for comparing, and each is measured in this one run.
import { DefaultIntrinsics, newQuickJSWASMModule, RELEASE_SYNC } from "quickjs-emscripten";
import { generateBank } from "../../agents/problems/bank";
import { checkAnswer } from "../../agents/problems/checkAnswer";
import { validateProposal } from "../../agents/problems/validateProposal";
import { QuickJsRunner } from "../../agents/sandbox/quickJsRunner";
import { DEFAULT_LIMITS, Sandbox } from "../../agents/sandbox/sandbox";

const sandbox = await Sandbox.create();
const bank = await generateBank(sandbox, { seed: 1, perLevel: 12 });

function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === "number" ? c.toFixed(c < 10 ? 2 : 0) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  console.log(`\n${title}`);
  for (const [i, row] of cells.entries()) {
    console.log(row.map((c, j) => String(c).padEnd(widths[j]!)).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

async function rate(rounds: number, each: () => Promise<void>): Promise<{ n: number; ms: number; perSecond: number }> {
  const started = performance.now();
  for (let i = 0; i < rounds; i++) await each();
  const ms = performance.now() - started;
  return { n: rounds, ms, perSecond: (rounds * 1000) / ms };
}

// 1. Throughput on the bank's problems (a mix of the three modes, difficulty 1–5).
const problems = bank.map((b) => b.problem);
const proposals = problems.map((p) => ({ mode: p.mode, program: p.program, inputs: p.examples.map((e) => e.input), hint: p.hint }));
const references = problems.map((p) =>
  JSON.stringify(
    p.mode === "deduction" ? { output: p.examples[0]!.output } : p.mode === "abduction" ? { input: p.examples[0]!.input } : { program: p.program },
  ),
);
const ROUNDS = 10;
await rate(1, async () => {
  for (const p of proposals) await validateProposal(sandbox, p);
}); // warm-up
const validation = await rate(ROUNDS, async () => {
  for (const p of proposals) await validateProposal(sandbox, p);
});
const byMode = { deduction: [] as number[], abduction: [] as number[], induction: [] as number[] };
problems.forEach((p, i) => byMode[p.mode].push(i));
const checks: Record<string, { n: number; ms: number; perSecond: number }> = {};
for (const [mode, idx] of Object.entries(byMode)) {
  checks[mode] = await rate(ROUNDS, async () => {
    for (const i of idx) await checkAnswer(sandbox, problems[i]!, references[i]!);
  });
}
const allChecks = await rate(ROUNDS, async () => {
  for (let i = 0; i < problems.length; i++) await checkAnswer(sandbox, problems[i]!, references[i]!);
});
table(
  `Throughput on ${problems.length} bank problems (seed 1, difficulty 1–5), ${ROUNDS} rounds`,
  ["operation", "count", "ms", "per second", "target"],
  [
    ["validate proposal (2 sandbox runs)", validation.n * proposals.length, validation.ms, validation.perSecond * proposals.length, "—"],
    ["check answer, all modes", allChecks.n * problems.length, allChecks.ms, allChecks.perSecond * problems.length, "≥ 1000"],
    ...Object.entries(checks).map(([mode, r]) => [
      `  check ${mode}`,
      r.n * byMode[mode as keyof typeof byMode].length,
      r.ms,
      r.perSecond * byMode[mode as keyof typeof byMode].length,
      "",
    ]),
  ],
);

// 2. What isolation costs: one trivial call with a fresh runtime (what the sandbox does; with and without typed
// arrays), a fresh context on a reused runtime, and a shared context (no isolation: a program could pollute
// the next run), side by side.
const module = await newQuickJSWASMModule(RELEASE_SYNC);
const SOURCE = "function f(xs){ return xs.map(x => x * 2).filter(x => x % 3 !== 0) }; JSON.stringify(f([1,2,3,4,5,6]))";
const intrinsics = { ...DefaultIntrinsics, Date: false, TypedArrays: false };
function evalIn(context: ReturnType<typeof module.newContext>): void {
  const result = context.evalCode(SOURCE, "bench.js", { type: "global" });
  context.unwrapResult(result).dispose();
}
const N = 2000;
const isolation: [string, () => void][] = [];
isolation.push([
  "fresh runtime + context with typed arrays (not chosen)",
  () => {
    const runtime = module.newRuntime();
    const context = runtime.newContext({ intrinsics: { ...DefaultIntrinsics, Date: false } });
    evalIn(context);
    context.dispose();
    runtime.dispose();
  },
]);
isolation.push([
  "fresh runtime + context per run (chosen)",
  () => {
    const runtime = module.newRuntime();
    const context = runtime.newContext({ intrinsics });
    evalIn(context);
    context.dispose();
    runtime.dispose();
  },
]);
const sharedRuntime = module.newRuntime();
isolation.push([
  "reused runtime, fresh context per run",
  () => {
    const context = sharedRuntime.newContext({ intrinsics });
    evalIn(context);
    context.dispose();
  },
]);
const sharedContext = sharedRuntime.newContext({ intrinsics });
isolation.push(["one shared context (no isolation)", () => evalIn(sharedContext)]);
const isolationRows: (string | number)[][] = [];
let baseline = 0;
for (const [name, run] of isolation) {
  for (let i = 0; i < 200; i++) run();
  const started = performance.now();
  for (let i = 0; i < N; i++) run();
  const perRun = (performance.now() - started) / N;
  baseline ||= perRun;
  isolationRows.push([name, perRun * 1000, 1000 / perRun, perRun / baseline]);
}
sharedContext.dispose();
sharedRuntime.dispose();
const BENCH_PROGRAM = "function f(xs){ return xs.map(x => x * 2).filter(x => x % 3 !== 0) }";
const inline = new QuickJsRunner();
await inline.load(DEFAULT_LIMITS.memoryBytes);
const inlineRuns = await rate(N, async () => {
  await inline.run(BENCH_PROGRAM, "f", ["[[1,2,3,4,5,6]]"], DEFAULT_LIMITS);
});
isolationRows.push(["QuickJsRunner.run on this thread (harness + caps)", (inlineRuns.ms / N) * 1000, inlineRuns.perSecond, inlineRuns.ms / N / baseline]);
const full = await rate(N, async () => {
  await sandbox.runPure(BENCH_PROGRAM, { fn: "f", args: [[1, 2, 3, 4, 5, 6]] });
});
isolationRows.push(["Sandbox.runPure (the same, in the worker thread)", (full.ms / N) * 1000, full.perSecond, full.ms / N / baseline]);
table(`Isolation cost, ${N} runs each`, ["mode", "µs per run", "runs per second", "× first row"], isolationRows);

// 3. Deadline overshoot: how long after its wall-clock deadline each hostile program is stopped (step budget
// off, so the clock is what stops it), and how long the default step budget takes to stop the same program.
const hostile: [string, string][] = [
  ["busy loop", "function f(){ for (;;) {} }"],
  ["loop swallowing exceptions", "function f(){ for (;;) { try { for (;;) {} } catch (e) {} } }"],
  ["catastrophic regex", "function f(){ return /(a+)+$/.test('a'.repeat(40) + 'b') }"],
  ["array growing forever", "function f(){ const a = []; for (;;) a.push([a.length]) }"],
  ["string building forever", "function f(){ let s = ''; for (;;) s = (s + 'ab').slice(-1000) }"],
  ["toJSON that never returns", "function f(){ return { toJSON(){ for (;;) {} } } }"],
  ["Proxy trap that never returns", "function f(){ throw new Proxy({}, { get(){ for (;;) {} } }) }"],
  ["deep structure then loop", "function f(){ let a = []; for (let i = 0; i < 200000; i++) a = [a]; for (;;) {} }"],
  ["megabyte string copies (watchdog)", "function f(){ let s = '', i = 0; for (;;) s = 'x'.repeat(1e6) + i++ }"],
];
const DEADLINE = 100;
const clockOnly = { ...DEFAULT_LIMITS, timeoutMs: DEADLINE, fuel: Infinity };
const REPEATS = 5;
const overshootRows: (string | number)[][] = [];
let worst = 0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, program] of hostile) {
  const overs: number[] = [];
  const fuelStops: number[] = [];
  let reason = "";
  let fuelReason = "";
  for (let i = 0; i < REPEATS; i++) {
    const outcome = await sandbox.runPure(program, { fn: "f", args: [] }, clockOnly);
    reason = outcome.ok ? "returned!" : outcome.reason;
    overs.push(outcome.ms - DEADLINE);
    const byFuel = await sandbox.runPure(program, { fn: "f", args: [] });
    fuelReason = byFuel.ok ? "returned!" : byFuel.reason;
    fuelStops.push(byFuel.ms);
  }
  worst = Math.max(worst, ...overs);
  overshootRows.push([name, reason, median(overs), Math.max(...overs), fuelReason, median(fuelStops)]);
}
table(
  `Deadline overshoot (clock deadline ${DEADLINE} ms, no step budget, ${REPEATS} runs each; target < 100 ms), ` +
    `and time to stop with the default limits (fuel ${DEFAULT_LIMITS.fuel} polls, backstop ${DEFAULT_LIMITS.timeoutMs} ms)`,
  ["hostile program", "outcome", "median ms past", "max ms past", "default limits", "median ms to stop"],
  overshootRows,
);

// 4. The rare worst case: the watchdog stops the engine thread, and the next run waits for a new one.
const restarts = sandbox.engineRestarts;
let recovery = 0;
for (let i = 0; i < 3; i++) {
  await sandbox.runPure("function f(){ let s = '', i = 0; for (;;) s = 'x'.repeat(1e6) + i++ }", { fn: "f", args: [] });
  const started = performance.now();
  await sandbox.runPure("const f = () => 1", { fn: "f", args: [] });
  recovery += performance.now() - started;
}
console.log(`\nA new engine thread after the watchdog stopped one: ${(recovery / 3).toFixed(0)} ms until the next run completes (${sandbox.engineRestarts - restarts} restarts)`);
console.log(
  `\nSummary: ${Math.round(allChecks.perSecond * problems.length)} answer checks/s (target ≥ 1000); ` +
    `${Math.round(validation.perSecond * proposals.length)} proposal validations/s; worst overshoot ${worst.toFixed(1)} ms (target < 100)`,
);
sandbox.dispose();
