// The curriculum (agents/loop/curriculum.ts): proposers start held to a grammar of arithmetic on one whole
// number, move up when the population solves often enough, and every worked example a level shows is right.
// On the tiny random model (noise), every proposal decoded under a level's grammar parses and takes the one
// argument its calls give: what the grammar promises whatever the model.
import assert from "node:assert/strict";
import { levelFor, lastLevelRecord, LEVEL_SPECS, problemLevel, type Level } from "../../agents/loop/curriculum";
import { isCopiedExample, LEVEL_ANSWERS, LEVEL_FORMS } from "../../agents/loop/levelExamples";
import { proposerPrompt, proposerSchema, solverPrompt, solverSchema } from "../../agents/loop/prompts";
import { solverView, type Problem } from "../../agents/problems/problem";
import { MODES } from "../../agents/problems/schemas";
import { checkSolverReply } from "../../agents/problems/solverReply";
import { validateProposal } from "../../agents/problems/validateProposal";
import { openRuntime, type Runtime } from "../../agents/runtime/runtime";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { tinyModelDir, type TinyModelDir } from "../runtime/tinyModel";

const GRAMMAR_LEVELS = ["arithmetic", "lists"] as const;

describe("the curriculum", () => {
  it("starts at its start level and moves up one level after a generation solved at least advanceAt of its attempts", () => {
    assert.equal(levelFor("arithmetic", 0.5, undefined), "arithmetic");
    assert.equal(levelFor("arithmetic", 0.5, { level: "arithmetic", attempts: 12, solved: 5 }), "arithmetic");
    assert.equal(levelFor("arithmetic", 0.5, { level: "arithmetic", attempts: 12, solved: 6 }), "lists");
    assert.equal(levelFor("arithmetic", 0.5, { level: "lists", attempts: 12, solved: 12 }), "free");
    assert.equal(levelFor("arithmetic", 0.5, { level: "free", attempts: 12, solved: 12 }), "free");
    assert.equal(levelFor("arithmetic", 0.5, { level: "lists", attempts: 0, solved: 0 }), "lists", "a generation with nothing to solve does not move the level");
    assert.equal(levelFor("lists", 0.5, { level: "arithmetic", attempts: 12, solved: 0 }), "lists", "never below the start level");
  });

  it("reads the level from the newest generation record, and none from a record made before the curriculum", () => {
    const records = [
      { generation: 4, data: { level: "lists", attempts: 9, solved: 2 } },
      { generation: 2, data: { level: "arithmetic", attempts: 9, solved: 9 } },
    ];
    assert.deepEqual(lastLevelRecord(records), { level: "lists", attempts: 9, solved: 2 });
    assert.equal(lastLevelRecord([{ generation: 0, data: { attempts: 3, solved: 1 } }]), undefined);
    assert.equal(lastLevelRecord([]), undefined);
  });

  it("plays a problem at the highest level up to the session's whose shape it has", () => {
    const problem = (input: unknown[]): Problem => ({ mode: "deduction", program: "function f(x) { return x; }", hint: "", examples: [{ input: input as never, output: 0 }], heldOut: 0 });
    assert.equal(problemLevel(problem([3]), "arithmetic"), "arithmetic");
    assert.equal(problemLevel(problem([3]), "lists"), "arithmetic");
    assert.equal(problemLevel(problem([[1, 2]]), "lists"), "lists");
    assert.equal(problemLevel(problem([[1, 2]]), "arithmetic"), "free");
    assert.equal(problemLevel(problem(["ab"]), "lists"), "free");
    assert.equal(problemLevel(problem([3]), "free"), "free", "the open game holds no answer to a grammar");
  });
});

describe("the grammar levels' worked examples", () => {
  let sandbox: Sandbox;
  before(async () => (sandbox = await Sandbox.create()));
  after(() => sandbox.dispose());

  /** The problem an answer example shows, made by the game's own validation from the calls the view implies. */
  async function problemOf(level: Exclude<Level, "free">, mode: (typeof MODES)[number]): Promise<Problem> {
    const { view, reply } = LEVEL_ANSWERS[level][mode];
    const answer = reply.answer as { input?: unknown[]; program?: string };
    const proposal =
      view.mode === "deduction"
        ? { mode, program: view.program, inputs: [view.input], hint: "" }
        : view.mode === "abduction"
          ? { mode, program: view.program, inputs: [answer.input], hint: "" }
          : { mode, program: answer.program!, inputs: [...view.examples.map((e) => e.input), ...view.examples.map((e) => e.input)], hint: view.hint };
    const verdict = await validateProposal(sandbox, proposal);
    assert.ok(verdict.ok, verdict.ok ? "" : `${verdict.reason}: ${verdict.message}`);
    return verdict.problem;
  }

  for (const level of GRAMMAR_LEVELS) {
    for (const mode of MODES) {
      it(`at "${level}", the ${mode} example answers the puzzle it shows correctly`, async () => {
        const problem = await problemOf(level, mode);
        const { view, reply } = LEVEL_ANSWERS[level][mode];
        if (view.mode !== "induction") assert.deepEqual(solverView(problem), view, "the view is the problem's");
        else assert.deepEqual(problem.examples.slice(0, view.examples.length), view.examples, "the shown pairs are f's");
        const verdict = await checkSolverReply(sandbox, problem, JSON.stringify(reply));
        assert.ok(verdict.correct, verdict.correct ? "" : `${verdict.reason}: ${verdict.message}`);
        assert.equal(problemLevel(problem, level), level, "the example has its level's shape");
      });
    }
  }

  it("refuses a proposal a solver could answer by copying its own example, and not one that only looks alike", () => {
    const deduction = LEVEL_ANSWERS.arithmetic.deduction.view;
    assert.ok(deduction.mode === "deduction");
    assert.equal(isCopiedExample("deduction", deduction.program, [deduction.input]), true);
    assert.equal(isCopiedExample("deduction", deduction.program, [[5]]), false, "another input must be computed");
    const induction = LEVEL_ANSWERS.lists.induction.reply.answer as { program: string };
    assert.equal(isCopiedExample("induction", induction.program, [[[1, 2]], [[3, 4]]]), true, "an induction answer is its program, whatever the inputs");
    assert.equal(isCopiedExample("abduction", induction.program, [[[1, 2]]]), false);
  });

  it("shows a proposer the form of a reply at a grammar level, not a program to copy", () => {
    for (const level of GRAMMAR_LEVELS) {
      for (const mode of MODES) {
        const prompt = proposerPrompt(mode, [], undefined, {}, level);
        assert.ok(prompt.includes(JSON.stringify(LEVEL_FORMS[level][mode])), `${level} ${mode}`);
        assert.ok(prompt.includes(LEVEL_SPECS[level].says));
      }
    }
    const solver = solverPrompt(LEVEL_ANSWERS.arithmetic.deduction.view, [], "arithmetic");
    assert.ok(solver.includes(LEVEL_ANSWERS.arithmetic.deduction.reply.reasoning), "the solver copies a computation");
  });
});

describe("the grammar levels on the tiny random model", function () {
  this.timeout(300_000);
  let tiny: TinyModelDir;
  let runtime: Runtime;
  let sandbox: Sandbox;
  before(async () => {
    tiny = await tinyModelDir();
    runtime = await openRuntime({ model: tiny.modelPath, modelsDir: tiny.dir, gpu: false, threads: 1 });
    sandbox = await Sandbox.create();
  });
  after(async () => {
    sandbox.dispose();
    await runtime.dispose();
    await tiny.cleanup();
  });

  for (const level of GRAMMAR_LEVELS) {
    it(`holds noise to programs that parse and take the one argument of their calls at "${level}"`, async () => {
      const agent = await runtime.agent({ id: `noise-${level}`, sampling: { temperature: 1, seed: 7, maxTokens: 1500 } });
      const reasons: string[] = [];
      for (let i = 0; i < 9; i++) {
        const mode = MODES[i % 3]!;
        const reply = await agent.generateJson<{ program: string; inputs: unknown[][] }>(proposerPrompt(mode, [], undefined, {}, level), proposerSchema(mode, level) as Record<string, unknown>);
        if (!reply.ok) {
          reasons.push(reply.failure);
          continue;
        }
        const verdict = await validateProposal(sandbox, reply.value);
        reasons.push(verdict.ok ? "valid" : verdict.reason);
      }
      await agent.dispose();
      // Noise may still write an f whose outputs do not differ (a degenerate problem the game refuses); it
      // cannot write one that does not parse, has the wrong arity, or the wrong number of calls.
      const broken = reasons.filter((r) => !["valid", "constant-output", "ignores-input", "threw", "truncated"].includes(r));
      assert.deepEqual(broken, [], reasons.join(", "));
      assert.ok(reasons.filter((r) => r === "valid").length >= 5, reasons.join(", "));
    });
  }

  it("holds an answer to the JSON type of the truth, and its citations to the notes it was shown", async () => {
    const agent = await runtime.agent({ id: "noise-answer", sampling: { temperature: 1, seed: 9, maxTokens: 120 } });
    const problem: Problem = { mode: "deduction", program: "function f(x) { return x * 2; }", hint: "", examples: [{ input: [4], output: 8 }], heldOut: 0 };
    for (let i = 0; i < 4; i++) {
      const reply = await agent.generateJson<{ answer: { output: unknown }; cites: string[] }>(solverPrompt(solverView(problem), [], "arithmetic"), solverSchema("deduction", problem, "arithmetic", 200, ["note-1", "note-2"]) as Record<string, unknown>);
      if (!reply.ok) {
        assert.equal(reply.failure, "truncated");
        continue;
      }
      assert.ok(Number.isInteger(reply.value.answer.output), reply.text);
      assert.ok(reply.value.cites.every((c) => c === "note-1" || c === "note-2"), reply.text);
    }
    await agent.dispose();
  });
});
