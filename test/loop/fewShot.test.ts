// The worked examples shown in every prompt are themselves right: each proposal example is a valid problem of
// its mode, each answer example is correct for the problem it shows, and both decode under the grammars the
// model is held to (reasoning first, the proposer's mode pinned).
import assert from "node:assert/strict";
import { EXAMPLE_ANSWERS, EXAMPLE_PROPOSALS } from "../../agents/loop/fewShot";
import { notesWithin } from "../../agents/loop/noteBudget";
import { proposerSchema, solverSchema } from "../../agents/loop/prompts";
import { solverView } from "../../agents/problems/problem";
import { MODES } from "../../agents/problems/schemas";
import { checkSolverReply } from "../../agents/problems/solverReply";
import { validateProposal } from "../../agents/problems/validateProposal";
import { sharedLlama } from "../../agents/runtime/sharedLlama";
import { Sandbox } from "../../agents/sandbox/sandbox";

describe("the worked examples in the prompts", () => {
  let sandbox: Sandbox;
  before(async () => (sandbox = await Sandbox.create()));
  after(() => sandbox.dispose());

  for (const mode of MODES) {
    it(`shows a valid ${mode} proposal and a ${mode} answer the sandbox marks correct`, async () => {
      const verdict = await validateProposal(sandbox, JSON.stringify(EXAMPLE_PROPOSALS[mode]));
      assert.ok(verdict.ok, verdict.ok ? "" : `${verdict.reason}: ${verdict.message}`);
      assert.equal(verdict.problem.mode, mode);
      const example = EXAMPLE_ANSWERS[mode];
      assert.deepEqual(solverView(verdict.problem), example.view, "the answer example shows the problem the proposal example makes");
      const answer = await checkSolverReply(sandbox, verdict.problem, JSON.stringify(example.reply));
      assert.ok(answer.correct, answer.correct ? "" : `${answer.reason}: ${answer.message}`);
    });
  }

  it("decode under the grammars, which put reasoning first and pin the proposer's mode", async function () {
    this.timeout(60_000);
    const llama = (await sharedLlama(false, 1)).llama;
    for (const mode of MODES) {
      const proposer = await llama.createGrammarForJsonSchema(proposerSchema(mode) as never);
      assert.deepEqual(proposer.parse(JSON.stringify(EXAMPLE_PROPOSALS[mode])), EXAMPLE_PROPOSALS[mode]);
      const other = MODES.find((m) => m !== mode)!;
      assert.throws(() => proposer.parse(JSON.stringify({ ...EXAMPLE_PROPOSALS[mode], mode: other })), "another mode is refused");
      assert.deepEqual(Object.keys((proposerSchema(mode) as { properties: object }).properties)[0], "reasoning");
      const solver = await llama.createGrammarForJsonSchema(solverSchema(mode) as never);
      assert.deepEqual(solver.parse(JSON.stringify(EXAMPLE_ANSWERS[mode].reply)), EXAMPLE_ANSWERS[mode].reply);
      assert.deepEqual(Object.keys((solverSchema(mode) as { properties: object }).properties), ["reasoning", "answer", "cites"]);
    }
  });
});

describe("notes within a prompt's budget", () => {
  const note = (id: string, chars: number) => ({ id, title: id, text: "x".repeat(chars) });

  it("shows notes in full while they fit, then clips the last one", () => {
    const shown = notesWithin([note("a", 500), note("b", 500), note("c", 5000)], 2000)!;
    assert.deepEqual(shown.map((n) => [n.id, n.text.length]), [["a", 500], ["b", 500], ["c", 998]]);
  });

  it("halves the budget at each level, ends with no notes, and then has nothing shorter", () => {
    const notes = [note("a", 900), note("b", 900), note("c", 900)];
    const levels: number[] = [];
    for (let level = 0; ; level++) {
      const shown = notesWithin(notes, 2400, level);
      if (shown === undefined) break;
      levels.push(shown.reduce((sum, n) => sum + n.text.length, 0));
    }
    assert.ok(levels.length >= 3 && levels.at(-1) === 0, levels.join(", "));
    for (let i = 1; i < levels.length; i++) assert.ok(levels[i]! < levels[i - 1]!, levels.join(", "));
    assert.equal(notesWithin([], 2400, 1), undefined);
  });
});
