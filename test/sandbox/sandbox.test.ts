// What a caller of the sandbox sees for ordinary programs: values, limits honoured, runs isolated from
// each other, and an engine that recovers when it breaks.
import assert from "node:assert/strict";
import { sandboxLimitsSchema } from "../../agents/sandbox/limits";
import { DEFAULT_LIMITS, Sandbox } from "../../agents/sandbox/sandbox";

describe("the sandbox", function () {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.create();
  });
  after(() => sandbox.dispose());

  it("returns the JSON value of a pure function applied to its arguments", async () => {
    const outcome = await sandbox.runPure("function f(xs, k){ return xs.filter(x => x > k).map(x => ({ x })) }", {
      fn: "f",
      args: [[1, 5, 9], 4],
    });
    assert.deepEqual(outcome.ok && outcome.value, [{ x: 5 }, { x: 9 }]);
  });

  it("finds functions declared with const, let and arrow syntax", async () => {
    for (const program of ["const g = (a) => a * 3", "let g = function (a) { return a * 3 }", "var g = a => a * 3"]) {
      const outcome = await sandbox.runPure(program, { fn: "g", args: [4] });
      assert.deepEqual(outcome.ok && outcome.value, 12, program);
    }
  });

  it("reports a program that does not parse as a syntax failure", async () => {
    const outcome = await sandbox.runPure("function f(x) { return x +* 1 }", { fn: "f", args: [1] });
    assert.equal(!outcome.ok && outcome.reason, "syntax");
  });

  it("reports a missing function by name", async () => {
    const outcome = await sandbox.runPure("function g(){ return 1 }", { fn: "f", args: [] });
    assert.equal(!outcome.ok && outcome.reason, "no-function");
    const notAFunction = await sandbox.runPure("const f = 3", { fn: "f", args: [] });
    assert.equal(!notAFunction.ok && notAFunction.reason, "no-function");
  });

  it("passes string arguments through unchanged, including quotes and unicode", async () => {
    const text = 'a "quoted" \\ line\nwith ünïcödé and 🎲';
    const outcome = await sandbox.runPure("const f = s => s", { fn: "f", args: [text] });
    assert.equal(outcome.ok && outcome.value, text);
  });

  it("does not let one run see the globals another run set", async () => {
    const program = "var count = (typeof count === 'number' ? count : 0) + 1; globalThis.seen = (globalThis.seen || 0) + 1; function f(){ return [count, seen] }";
    for (let i = 0; i < 3; i++) {
      const outcome = await sandbox.runPure(program, { fn: "f", args: [] });
      assert.deepEqual(outcome.ok && outcome.value, [1, 1]);
    }
  });

  it("runs a batch of calls against one evaluation of the program", async () => {
    const outcomes = await sandbox.runPureMany("function f(n){ if (n < 0) throw new RangeError('negative'); return n * n }", [
      { fn: "f", args: [2] },
      { fn: "f", args: [-1] },
      { fn: "f", args: [3] },
    ]);
    assert.deepEqual(outcomes.map((o) => (o.ok ? o.value : o.reason)), [4, "threw", 9]);
  });

  it("stops a program at its wall-clock deadline when the step budget is unlimited", async () => {
    const limits = { ...DEFAULT_LIMITS, timeoutMs: 20, fuel: Infinity };
    const outcome = await sandbox.runPure("function f(){ for (;;) {} }", { fn: "f", args: [] }, limits);
    assert.equal(!outcome.ok && outcome.reason, "timeout");
    assert.match(!outcome.ok ? outcome.message : "", /wall-clock backstop/);
    assert.equal(!outcome.ok && outcome.clock, true, "a stop by the clock says so, so validation never reads it as a property of the program");
  });

  it("stops a busy loop by its step budget long before a distant deadline", async () => {
    const limits = { ...DEFAULT_LIMITS, timeoutMs: 60_000, fuel: 10 };
    const outcome = await sandbox.runPure("function f(){ for (;;) {} }", { fn: "f", args: [] }, limits);
    assert.equal(!outcome.ok && outcome.reason, "timeout");
    assert.match(!outcome.ok ? outcome.message : "", /used up its step budget/);
    assert.equal(!outcome.ok && outcome.clock, undefined);
  });

  it("gives the same verdict on every run to a program near the edge of its step budget", async () => {
    const limits = { ...DEFAULT_LIMITS, timeoutMs: 60_000 };
    const program = "function f(n){ let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s }";
    const verdicts = new Set<string>();
    const edges = new Set<boolean>();
    for (const n of [10_000, 100_000, 1_000_000, 2_000_000]) {
      const runs = [];
      for (let i = 0; i < 4; i++) runs.push(await sandbox.runPure(program, { fn: "f", args: [n] }, limits));
      const kinds = new Set(runs.map((r) => (r.ok ? "ok" : r.reason)));
      assert.equal(kinds.size, 1, `n=${n}: ${[...kinds].join(", ")}`);
      verdicts.add(`${n}:${[...kinds][0]}`);
      edges.add(runs[0]!.ok);
    }
    assert.deepEqual([...edges].sort(), [false, true], `the loop sizes should straddle the budget: ${[...verdicts].join(" ")}`);
  });

  it("lets a program use memory under its cap and stops it at the cap", async () => {
    const program = "function f(mb){ const s = 'x'.repeat(mb * 1024 * 1024); return s.length }";
    const small = await sandbox.runPure(program, { fn: "f", args: [4] }, { ...DEFAULT_LIMITS, memoryBytes: 16 << 20 });
    assert.equal(small.ok && small.value, 4 * 1024 * 1024);
    const big = await sandbox.runPure(program, { fn: "f", args: [4] }, { ...DEFAULT_LIMITS, memoryBytes: 2 << 20 });
    assert.equal(!big.ok && big.reason, "memory");
  });

  it("allows ordinary recursion a few hundred levels deep under the default stack cap", async () => {
    const outcome = await sandbox.runPure("function f(n){ return n === 0 ? 0 : 1 + f(n - 1) }", { fn: "f", args: [500] });
    assert.equal(outcome.ok && outcome.value, 500);
  });

  // Each iteration copies a megabyte in native code, so QuickJS polls its interrupt handler only every few
  // seconds; the watchdog has to stop the thread.
  const CHURN = "function f(){ let s = '', i = 0; for (;;) s = 'x'.repeat(1e6) + i++ }";

  it("stops a program that keeps the engine busy in native code, and keeps working", async () => {
    const before = sandbox.engineRestarts;
    const stuck = await sandbox.runPure(CHURN, { fn: "f", args: [] });
    assert.equal(!stuck.ok && stuck.reason, "timeout");
    assert.match(!stuck.ok ? stuck.message : "", /engine thread was stopped/);
    assert.ok(stuck.ms < DEFAULT_LIMITS.timeoutMs + 2000, `took ${stuck.ms} ms`);
    const next = await sandbox.runPure("const f = () => 'alive'", { fn: "f", args: [] });
    assert.equal(next.ok && next.value, "alive");
    assert.equal(sandbox.engineRestarts, before + 1);
  });

  it("runs several requests that arrive together after a stopped engine on one new engine", async () => {
    const stuck = sandbox.runPure(CHURN, { fn: "f", args: [] });
    const before = sandbox.engineRestarts;
    const outcomes = await Promise.all([1, 2, 3].map((n) => sandbox.runPure("const f = n => n * 2", { fn: "f", args: [n] })));
    assert.equal(((await stuck) as { reason?: string }).reason, "timeout");
    assert.deepEqual(outcomes.map((o) => o.ok && o.value), [2, 4, 6]);
    assert.equal(sandbox.engineRestarts, before + 1);
  });

  it("refuses limits from a configuration that are out of range", () => {
    assert.equal(sandboxLimitsSchema.safeParse(DEFAULT_LIMITS).success, true);
    assert.equal(sandboxLimitsSchema.safeParse({ ...DEFAULT_LIMITS, stackBytes: 64 << 20 }).success, false);
    assert.equal(sandboxLimitsSchema.safeParse({ ...DEFAULT_LIMITS, fuel: 0 }).success, false);
    assert.equal(sandboxLimitsSchema.safeParse({ ...DEFAULT_LIMITS, extra: 1 }).success, false);
  });

  it("loads again after being disposed", async () => {
    const own = await Sandbox.create();
    own.dispose();
    const outcome = await own.runPure("const f = () => 1", { fn: "f", args: [] });
    assert.equal(outcome.ok && outcome.value, 1);
    own.dispose();
  });
});
