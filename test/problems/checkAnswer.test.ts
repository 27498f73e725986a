// "Verify": answers are checked by running code, for each of the three modes.
import assert from "node:assert/strict";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { checkAnswer } from "../../agents/problems/checkAnswer";
import { validateProposal } from "../../agents/problems/validateProposal";
import type { Problem } from "../../agents/problems/problem";
import { solverView } from "../../agents/problems/problem";

describe("checking answers", () => {
  let sandbox: Sandbox;
  let deduction: Problem;
  let abduction: Problem;
  let induction: Problem;

  async function problem(mode: string, program: string, inputs: unknown[][], hint = ""): Promise<Problem> {
    const verdict = await validateProposal(sandbox, { mode, program, inputs, hint });
    assert.ok(verdict.ok, JSON.stringify(verdict));
    return verdict.problem;
  }

  before(async () => {
    sandbox = await Sandbox.create();
    deduction = await problem("deduction", "function f(s){ return { word: s.toUpperCase(), n: s.length } }", [["abc"]]);
    abduction = await problem("abduction", "function f(x){ return x % 3 }", [[7]]);
    induction = await problem("induction", "function f(xs){ return xs.filter(x => x > 0).length }", [[[1, -2, 3]], [[-1]], [[4, 5]], [[0, 9, -9, 8]], [[2, 2, 2]], [[-5, 6]]], "counts something");
  });
  after(() => sandbox.dispose());

  it("accepts a deduction answer equal to the output whatever the key order", async () => {
    assert.equal((await checkAnswer(sandbox, deduction, '{"output": {"n": 3, "word": "ABC"}}')).correct, true);
  });

  it("compares objects with a __proto__ key as plain data", async () => {
    const proto = await problem("deduction", "function f(){ return JSON.parse('{\"__proto__\": {\"x\": 1}}') }", [[]]);
    assert.equal((await checkAnswer(sandbox, proto, '{"output": {"__proto__": {"x": 1}}}')).correct, true);
    const empty = await checkAnswer(sandbox, proto, '{"output": {}}');
    assert.equal(!empty.correct && empty.reason, "wrong");
  });

  it("marks a different deduction output as wrong", async () => {
    const verdict = await checkAnswer(sandbox, deduction, '{"output": {"n": 3, "word": "abc"}}');
    assert.equal(!verdict.correct && verdict.reason, "wrong");
  });

  it("accepts any abduction input that gives the output, not only the proposer's", async () => {
    assert.equal((await checkAnswer(sandbox, abduction, '{"input": [4]}')).correct, true);
    assert.equal((await checkAnswer(sandbox, abduction, '{"input": [7]}')).correct, true);
    const wrong = await checkAnswer(sandbox, abduction, '{"input": [5]}');
    assert.equal(!wrong.correct && wrong.reason, "wrong");
  });

  it("reports an abduction input that makes f fail with the sandbox's reason", async () => {
    const nan = await checkAnswer(sandbox, abduction, '{"input": [{"valueOf": 1}]}');
    assert.equal(!nan.correct && nan.reason, "not-json");
    const lengthOf = await problem("abduction", "function f(x){ return x.length }", [["abcd"]]);
    const nullInput = await checkAnswer(sandbox, lengthOf, '{"input": [null]}');
    assert.equal(!nullInput.correct && nullInput.reason, "threw");
  });

  it("accepts an induction program that generalises to the held-back pairs", async () => {
    const verdict = await checkAnswer(sandbox, induction, JSON.stringify({ program: "const f = xs => xs.reduce((n, x) => n + (x > 0 ? 1 : 0), 0)" }));
    assert.equal(verdict.correct, true);
  });

  it("rejects an induction program that only memorises the shown pairs", async () => {
    const view = solverView(induction);
    assert.equal(view.mode, "induction");
    const table = view.mode === "induction" ? view.examples.map((e) => [JSON.stringify(e.input[0]), e.output]) : [];
    const memoriser = `const table = new Map(${JSON.stringify(table)}); function f(xs){ return table.get(JSON.stringify(xs)) ?? 0 }`;
    const verdict = await checkAnswer(sandbox, induction, JSON.stringify({ program: memoriser }));
    assert.equal(!verdict.correct && verdict.reason, "wrong");
  });

  it("never shows the solver the held-back pairs or the answer", () => {
    const view = solverView(induction);
    assert.equal(view.mode === "induction" && view.examples.length, 3);
    assert.equal("program" in view, false);
    assert.deepEqual(solverView(deduction), { mode: "deduction", program: deduction.program, input: ["abc"] });
    assert.equal("input" in solverView(abduction), false);
  });

  it("contains a hostile induction answer and records why it failed", async () => {
    const loop = await checkAnswer(sandbox, induction, JSON.stringify({ program: "function f(){ for (;;) {} }" }));
    assert.equal(!loop.correct && loop.reason, "timeout");
    const escape = await checkAnswer(sandbox, induction, JSON.stringify({ program: "function f(){ return require('fs') }" }));
    assert.equal(!escape.correct && escape.reason, "threw");
  });

  it("records answers that are not JSON or have the wrong shape", async () => {
    const prose = await checkAnswer(sandbox, deduction, "The answer is ABC");
    assert.equal(!prose.correct && prose.reason, "not-json");
    const shape = await checkAnswer(sandbox, induction, '{"output": 3}');
    assert.equal(!shape.correct && shape.reason, "schema");
  });
});
