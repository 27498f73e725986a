// The held-out bank: fixed by its seed, graded by difficulty, and every problem solvable and verified.
import assert from "node:assert/strict";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { generateBank } from "../../agents/problems/bank";
import type { BankProblem } from "../../agents/problems/bank";
import { checkAnswer } from "../../agents/problems/checkAnswer";
import { validateProposal } from "../../agents/problems/validateProposal";

describe("the held-out bank", () => {
  let sandbox: Sandbox;
  let bank: BankProblem[];
  before(async () => {
    sandbox = await Sandbox.create();
    bank = await generateBank(sandbox, { seed: 2025, perLevel: 6 });
  });
  after(() => sandbox.dispose());

  it("is the same bank every time for the same seed", async () => {
    const again = await generateBank(await Sandbox.create(), { seed: 2025, perLevel: 6 });
    assert.deepEqual(again, bank);
  });

  it("is a different bank for a different seed", async () => {
    const other = await generateBank(sandbox, { seed: 2026, perLevel: 6 });
    assert.notDeepEqual(other.map((b) => b.problem.program), bank.map((b) => b.problem.program));
  });

  it("has the requested number of problems at every level, cycling through the three modes", () => {
    for (const level of [1, 2, 3, 4, 5]) {
      const atLevel = bank.filter((b) => b.difficulty === level);
      assert.equal(atLevel.length, 6);
      assert.deepEqual(atLevel.map((b) => b.problem.mode), ["deduction", "abduction", "induction", "deduction", "abduction", "induction"]);
    }
    assert.equal(new Set(bank.map((b) => b.id)).size, bank.length);
  });

  it("makes harder levels out of longer compositions", () => {
    const meanLength = (level: number) => {
      const programs = bank.filter((b) => b.difficulty === level).map((b) => b.problem.program.length);
      return programs.reduce((a, b) => a + b, 0) / programs.length;
    };
    assert.ok(meanLength(5) > meanLength(1) * 2, `${meanLength(1)} vs ${meanLength(5)}`);
  });

  it("holds only problems that pass proposal validation again and accept their reference answer", async () => {
    for (const { id, problem } of bank) {
      const revalidated = await validateProposal(sandbox, {
        mode: problem.mode,
        program: problem.program,
        inputs: problem.examples.map((e) => e.input),
        hint: problem.hint,
      });
      assert.ok(revalidated.ok, id);
      assert.deepEqual(revalidated.problem, problem, id);
      const reference =
        problem.mode === "deduction"
          ? { output: problem.examples[0]!.output }
          : problem.mode === "abduction"
            ? { input: problem.examples[0]!.input }
            : { program: problem.program };
      const verdict = await checkAnswer(sandbox, problem, JSON.stringify(reference));
      assert.equal(verdict.correct, true, `${id}: ${JSON.stringify(verdict)}`);
    }
  });

  it("gives induction problems a hint and outputs that vary", () => {
    for (const { id, problem } of bank.filter((b) => b.problem.mode === "induction")) {
      assert.match(problem.hint, /^f takes .* and returns .*/, id);
      assert.ok(new Set(problem.examples.map((e) => JSON.stringify(e.output))).size > 1, id);
    }
  });

  it("never writes a step that does nothing, which its hint would describe as doing something", async () => {
    const many = [bank, ...(await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => generateBank(sandbox, { seed, perLevel: 6 }))))].flat();
    const idle = many.filter((b) => /=> x \+ 0\)|\) \+ 0;/.test(b.problem.program)).map((b) => b.problem.program);
    assert.deepEqual(idle, []);
  });
});
