// "Propose" validity: which proposals become problems, and the recorded reason for those that do not.
import assert from "node:assert/strict";
import { Sandbox } from "../../agents/sandbox/sandbox";
import type { Call, Json, PureRunner, RunOutcome, SandboxLimits } from "../../agents/sandbox/sandbox";
import { validateProposal } from "../../agents/problems/validateProposal";

function proposal(mode: string, program: string, inputs: Json[][], hint = ""): string {
  return JSON.stringify({ mode, program, inputs, hint });
}

// Test double: the real sandbox has no clock and no Math.random, so it cannot be made to disagree with itself
// on demand; this stand-in answers each call with how many batches it has run so far.
class DriftingSandboxDouble implements PureRunner {
  private batches = 0;
  async runPure(program: string, call: Call, limits?: SandboxLimits): Promise<RunOutcome> {
    return (await this.runPureMany(program, [call], limits))[0]!;
  }
  async runPureMany(_program: string, calls: Call[], _limits?: SandboxLimits): Promise<RunOutcome[]> {
    this.batches++;
    return calls.map(() => ({ ok: true, value: this.batches, ms: 0 }));
  }
}

// Test double: a machine so busy that the wall clock stops the call made alone, after the batch passed within
// its step budget. The real sandbox cannot be starved on demand.
class StarvedSandboxDouble implements PureRunner {
  async runPure(): Promise<RunOutcome> {
    return { ok: false, reason: "timeout", message: "the program ran past the wall-clock backstop", ms: 2000, clock: true };
  }
  async runPureMany(_program: string, calls: Call[]): Promise<RunOutcome[]> {
    return calls.map((c) => ({ ok: true, value: c.args[0] ?? null, ms: 0 }));
  }
}

describe("validating a proposal", () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.create();
  });
  after(() => sandbox.dispose());

  it("turns a valid deduction proposal into a problem carrying the output the sandbox computed", async () => {
    const verdict = await validateProposal(sandbox, proposal("deduction", "function f(xs){ return xs.map(x => x * x) }", [[[1, 2, 3]]]));
    assert.equal(verdict.ok, true);
    if (verdict.ok) assert.deepEqual(verdict.problem.examples, [{ input: [[1, 2, 3]], output: [1, 4, 9] }]);
  });

  it("splits an induction proposal into shown pairs and a held-back half", async () => {
    const inputs = [[1], [2], [3], [4], [5]];
    const verdict = await validateProposal(sandbox, proposal("induction", "const f = n => n * 10", inputs, "multiplies"));
    assert.equal(verdict.ok, true);
    if (verdict.ok) {
      assert.equal(verdict.problem.heldOut, 2);
      assert.deepEqual(verdict.problem.examples.map((e) => e.output), [10, 20, 30, 40, 50]);
    }
  });

  const invalid: [string, string, string][] = [
    ["a program that does not parse", proposal("deduction", "function f(x) { return x +", [[1]]), "syntax"],
    ["a program without f", proposal("deduction", "function g(x) { return x }", [[1]]), "no-function"],
    ["a program that never halts on one input", proposal("induction", "function f(x){ while (x > 2) {} return x }", [[1], [2], [3]]), "timeout"],
    ["a program that returns NaN", proposal("deduction", "function f(x){ return x / 0 - x / 0 }", [[1]]), "not-json"],
    ["a program that prints megabytes", proposal("deduction", "function f(){ return 'z'.repeat(1 << 21) }", [[]]), "output-too-large"],
    ["a program whose result nests 1,500 levels deep", proposal("deduction", "function f(){ let v = []; for (let i = 0; i < 1500; i++) v = [v]; return v }", [[]]), "output-too-large"],
    ["a program whose result nests 33 levels deep", proposal("deduction", "function f(){ let v = 0; for (let i = 0; i < 33; i++) v = [v]; return v }", [[]]), "output-too-large"],
    ["a program that asks for randomness", proposal("abduction", "function f(){ return Math.random() > 0.5 }", [[]]), "threw"],
    ["a deduction with two inputs", proposal("deduction", "const f = x => x", [[1], [2]]), "input-count"],
    ["an induction with one input", proposal("induction", "const f = x => x", [[1]]), "input-count"],
    ["output that is not JSON at all", "Sure! Here is a problem: f(x) = x + 1", "not-json"],
    ["a proposal missing its program", JSON.stringify({ mode: "deduction", inputs: [[1]], hint: "" }), "schema"],
  ];
  for (const [what, output, reason] of invalid) {
    it(`records ${what} as invalid with the reason '${reason}'`, async () => {
      const verdict = await validateProposal(sandbox, output);
      assert.equal(verdict.ok ? "valid" : verdict.reason, reason, verdict.ok ? "" : verdict.message);
    });
  }

  it("says which input failed when a program fails on only one of several", async () => {
    const verdict = await validateProposal(sandbox, proposal("induction", "function f(x){ if (x === 3) throw new Error('three'); return x }", [[1], [2], [3], [4]]));
    assert.equal(!verdict.ok && verdict.reason, "threw");
    assert.match(!verdict.ok ? verdict.message : "", /input 3: Error: three/);
  });

  it("rejects a proposal whose two runs disagree as non-deterministic", async () => {
    const verdict = await validateProposal(new DriftingSandboxDouble(), proposal("deduction", "const f = () => 1", [[]]));
    assert.equal(!verdict.ok && verdict.reason, "non-deterministic");
  });

  it("reports a call stopped by the wall clock as a timeout, never as non-determinism", async () => {
    const verdict = await validateProposal(new StarvedSandboxDouble(), proposal("deduction", "const f = x => x", [[3]]));
    assert.equal(verdict.ok ? "accepted" : verdict.reason, "timeout");
    assert.match(!verdict.ok ? verdict.message : "", /input 1, called alone: .*wall-clock backstop/);
  });

  it("refuses as a problem a program that keeps a counter between calls", async () => {
    const verdict = await validateProposal(sandbox, JSON.stringify({
      mode: "induction", hint: "", inputs: [[1], [2], [3], [4]],
      program: "let calls = 0; function f(x){ calls++; return x * calls }",
    }));
    assert.equal(verdict.ok ? "accepted" : verdict.reason, "non-deterministic");
    assert.match(!verdict.ok ? verdict.message : "", /input 2 .*called alone.*keeps state between calls/);
  });

  it("refuses as a problem a program that patches Object.prototype.toJSON on its first call", async () => {
    const verdict = await validateProposal(sandbox, JSON.stringify({
      mode: "induction", hint: "", inputs: [[1], [2], [3]],
      // State kept in a prototype, not a variable: the first call patches, later calls see the patch.
      program: "function f(x){ const seen = typeof Object.prototype.toJSON === 'function'; Object.prototype.toJSON = function(){ return 'patched' }; return seen ? { x } : x }",
    }));
    assert.equal(verdict.ok ? "accepted" : verdict.reason, "non-deterministic");
  });

  it("still accepts a pure induction program and a deduction program that uses a constant table", async () => {
    const induction = await validateProposal(sandbox, JSON.stringify({
      mode: "induction", hint: "squares", inputs: [[1], [2], [3], [4]], program: "const table = [0, 1, 4, 9, 16]; function f(x){ return table[x] }",
    }));
    assert.equal(induction.ok, true, induction.ok ? "" : induction.message);
    const deduction = await validateProposal(sandbox, JSON.stringify({ mode: "deduction", hint: "", inputs: [[3]], program: "let calls = 0; function f(x){ calls++; return x * calls }" }));
    assert.equal(deduction.ok, true, "with one input a counter cannot show, and does no harm");
  });
});
