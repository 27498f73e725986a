// The scripted test double (test/doubles/scriptedAgent.ts) learns from information, not wording: a true fact about
// one of its problem's steps raises its solve rate; a false fact, or a true one about a step the problem does not
// have, does not. Checked on the real sandbox, over many independent draws.
import assert from "node:assert/strict";
import { composeProposal } from "../../agents/problems/bank";
import { solverView, type Problem } from "../../agents/problems/problem";
import { validateProposal } from "../../agents/problems/validateProposal";
import { Sandbox } from "../../agents/sandbox/sandbox";
import type { RetrievedNote } from "../../agents/loop/agentPort";
import { seededRandom } from "../../workspace-kb/random";
import { AnswerKey, factLine, kindOf, scriptedAgentFactory, stepsOf } from "../doubles/scriptedAgent";

describe("the scripted test double", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  before(async () => (sandbox = await Sandbox.create()));
  after(() => sandbox.dispose());

  it("solves more often only when shown a true fact about one of its problem's steps", async () => {
    const key = new AnswerKey();
    let problem: Problem | undefined;
    for (let seed = 1; !problem; seed++) {
      const verdict = await validateProposal(sandbox, composeProposal(seededRandom(seed), "deduction", 1));
      if (verdict.ok && typeof verdict.problem.examples[0]!.input[0] === "number") problem = verdict.problem;
    }
    key.add(problem);
    const [step] = stepsOf(problem.program);
    const input = problem.examples[0]!.input[0]!;
    const output = problem.examples[0]!.output;
    const agent = await scriptedAgentFactory(sandbox, key, { baseSkill: 0.2, skillPerNote: 0.5, maxSkill: 0.95 })({ id: "a", index: 0, seed: 3, persona: "", generation: 0 });
    const note = (text: string): RetrievedNote[] => [{ id: "n1", title: "a note", text }];
    const rate = async (notes: RetrievedNote[]) => {
      let solved = 0;
      const draws = 300;
      for (let generation = 0; generation < draws; generation++) {
        const reply = await agent.reply({ role: "solver", prompt: "", schema: null, facts: { view: solverView(problem!), notes, withKb: true, generation }, signal: new AbortController().signal });
        assert.ok(reply.ok);
        if (JSON.stringify(reply.value).includes(JSON.stringify(output))) solved++;
      }
      return solved / draws;
    };
    const other = "x.toUpperCase()";
    assert.notEqual(kindOf(other), kindOf(step!));
    const none = await rate([]);
    const trueFact = await rate(note(`Some words.\n${factLine({ step: step!, says: "", input, output })}`));
    const falseFact = await rate(note(factLine({ step: step!, says: "", input, output: "certainly not this" })));
    const otherStep = await rate(note(factLine({ step: other, says: "", input: "ab", output: "AB" })));
    const phraseOnly = await rate(note(`The principle for deduction: ${step}`));
    assert.ok(Math.abs(none - 0.2) < 0.08, `no notes: ${none}`);
    assert.ok(Math.abs(trueFact - 0.7) < 0.08, `a true fact about its step: ${trueFact}`);
    for (const [what, r] of [["a false fact", falseFact], ["a fact about another step", otherStep], ["words without a fact", phraseOnly]] as const) {
      assert.ok(Math.abs(r - none) < 0.08, `${what}: ${r} (no notes: ${none})`);
    }
  });
});
