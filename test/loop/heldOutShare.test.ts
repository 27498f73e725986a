import { strict as assert } from "node:assert";
import { describePlan, planCalls } from "../../agents/loop/callPlan";
import { heldOutShare } from "../../agents/loop/evaluate";
import { parseLoopConfig } from "../../agents/loop/loopConfig";

describe("who answers the held-out bank", () => {
  const bank = Array.from({ length: 60 }, (_, i) => i);

  for (const answers of [1, 2, 4]) {
    it(`deals every problem to exactly ${answers} of 4 agents, in equal shares`, () => {
      const shares = [0, 1, 2, 3].map((slot) => heldOutShare(bank, slot, 4, answers));
      for (const problem of bank) assert.equal(shares.filter((s) => s.includes(problem)).length, answers, `problem ${problem}`);
      for (const share of shares) assert.equal(share.length, (60 * answers) / 4);
    });
  }

  it("refuses more answers per problem than there are agents, naming both settings", () => {
    assert.throws(() => parseLoopConfig({ population: { size: 3 }, evaluation: { answersPerProblem: 4 } }, "session.json"), /evaluation\.answersPerProblem[\s\S]*population\.size/);
  });

  it("plans most of the default session's calls for play, not for measuring it", () => {
    const plan = planCalls(parseLoopConfig({}, "defaults"));
    assert.ok(plan.play >= plan.evaluationHigh, `${plan.play} play vs ${plan.evaluationLow}–${plan.evaluationHigh} evaluation calls`);
    assert.ok(plan.play > (plan.evaluationLow + plan.evaluationHigh) / 2, `${plan.play} play vs ${plan.evaluationLow}–${plan.evaluationHigh}`);
    assert.match(describePlan(parseLoopConfig({}, "defaults")), /60 problems, each answered by 1 of the 4 agents/);
  });
});
