// Guarantees a program must not be able to talk its way around: what leaves the sandbox is capped, and a
// budget once exceeded stays exceeded whatever the program does with the interrupt.
import assert from "node:assert/strict";
import { DEFAULT_LIMITS, Sandbox } from "../../agents/sandbox/sandbox";

const call = { fn: "f", args: [] };

describe("the sandbox's guarantees against a hostile program", function () {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.create();
  });
  after(() => sandbox.dispose());

  it("caps every string that leaves the sandbox, including an error name megabytes long", async () => {
    const programs = [
      "function f(){ const e = new Error('x'); e.name = 'N'.repeat(4 << 20); throw e }",
      "function f(){ throw { name: 'N'.repeat(4 << 20), message: 'M'.repeat(4 << 20) } }",
      "function f(){ const e = new TypeError('x'); Object.defineProperty(e, 'name', { get(){ return 'G'.repeat(1 << 22) } }); throw e }",
      "class Big extends Error { get name(){ return 'B'.repeat(1 << 22) } } function f(){ throw new Big('m') }",
      "function f(){ return 1 } f.toString = () => 'x'.repeat(1 << 22); function g(){} ; throw Object.assign(new Error('at load'), { name: 'L'.repeat(1 << 22) })",
    ];
    for (const program of programs) {
      const outcome = await sandbox.runPure(program, call);
      const size = JSON.stringify(outcome).length;
      assert.ok(!outcome.ok && size < 1000, `${program.slice(0, 60)}… gave ${size} characters: ${JSON.stringify(outcome).slice(0, 120)}`);
    }
  });

  it("discards the result of a program that catches its step-budget interrupt and returns anyway", async () => {
    const catchers = [
      // An interrupt inside an async function becomes a rejected promise; the caller carries on.
      "function f(){ let r = 'escaped'; (async () => { for (;;) {} })(); return r }",
      "function f(){ const p = (async () => { for (;;) {} })(); p.catch(() => {}); return 'escaped' }",
      "function f(){ function* g(){ try { for (;;) {} } catch (e) { yield 'escaped' } } const it = g(); try { return it.next().value } catch (e) { return 'escaped' } }",
    ];
    for (const program of catchers) {
      for (let i = 0; i < 3; i++) {
        const byFuel = await sandbox.runPure(program, call);
        assert.equal(byFuel.ok ? `accepted ${JSON.stringify(byFuel.value)}` : byFuel.reason, "timeout", program);
        const byDeadline = await sandbox.runPure(program, call, { ...DEFAULT_LIMITS, fuel: 1_000_000, timeoutMs: 30 });
        assert.equal(byDeadline.ok ? `accepted ${JSON.stringify(byDeadline.value)}` : byDeadline.reason, "timeout", program);
      }
    }
  });

  it("fails every later call of a batch once the budget is spent, even calls that would return at once", async () => {
    const outcomes = await sandbox.runPureMany("function f(n){ if (n === 1) (async () => { for (;;) {} })(); return n }",
      [{ fn: "f", args: [1] }, { fn: "f", args: [2] }]);
    assert.deepEqual(outcomes.map((o) => (o.ok ? "ok" : o.reason)), ["timeout", "timeout"]);
  });
});
