// The culture loop end to end on the real knowledge base and sandbox, with scripted agents (a test double,
// test/doubles/scriptedAgent.ts) whose skill is known, so the measures can be checked against the truth.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { LEVEL_SPECS } from "../../agents/loop/curriculum";
import { planCalls } from "../../agents/loop/callPlan";
import { runSession, type SessionResult } from "../../agents/loop/session";
import { readRun } from "../../agents/loop/runRecorder";
import { openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import type { Retrieval } from "../../agents/loop/loopContext";
import type { RunSummary } from "../../agents/report/runSummary";
import { learnabilityReward, RaschRatings } from "../../agents/loop/difficulty";
import { AnswerKey, describeTestDouble, heldOutAnswerKey, scriptedAgentFactory, type ScriptedBehaviour } from "../doubles/scriptedAgent";

const LEARNS_FROM_NOTES: ScriptedBehaviour = { baseSkill: 0.15, skillPerNote: 0.3, maxSkill: 0.95 };
const LEARNS_NOTHING: ScriptedBehaviour = { baseSkill: 0.35, skillPerNote: 0, maxSkill: 0.95 };

/** The verdict the report prints as "the knowledge base helped": the last evaluation's gain interval lies above 0. */
function gainDetected(summary: RunSummary): boolean {
  const last = summary.generations.filter((g) => g.evaluation).at(-1)!.evaluation!;
  return last.gainLow > 0;
}

// Broken retrieval, injected (mutation tests): the accumulation verdict must notice.
const KINDS = ["note", "chapter", "human"] as const;
/** The k entries the search ranks least similar to the query (those it does not match at all first). */
const irrelevantRetrieval: Retrieval = (kb, query, k) => {
  const entries = kb.entries({ kinds: [...KINDS] });
  const score = new Map(kb.search(query, { k: Math.max(1, entries.length), kinds: [...KINDS] }).map((h) => [h.entry.id, h.score]));
  return [...entries].sort((a, b) => (score.get(a.id) ?? 0) - (score.get(b.id) ?? 0)).slice(0, k);
};
const noRetrieval: Retrieval = () => [];

describe("the culture loop with scripted agents", function () {
  this.timeout(240_000);
  let sandbox: Sandbox;
  const workspaces: string[] = [];
  before(async () => (sandbox = await Sandbox.create()));
  after(() => {
    sandbox.dispose();
    workspaces.forEach((w) => rmSync(w, { recursive: true, force: true }));
  });

  async function session(behaviour: ScriptedBehaviour, config: Record<string, unknown>, extra: { notesMd?: string; onNotice?: (message: string) => void; retrieval?: Retrieval } = {}): Promise<SessionResult & { workspace: string }> {
    const workspace = mkdtempSync(join(tmpdir(), "cl-loop-"));
    workspaces.push(workspace);
    if (extra.notesMd !== undefined) {
      mkdirSync(join(workspace, ".culture"));
      writeFileSync(join(workspace, ".culture", "NOTES.md"), extra.notesMd);
    }
    const parsed = parseLoopConfig(config, "the test");
    const key = await heldOutAnswerKey(sandbox, parsed);
    const result = await runSession({
      workspaceDir: workspace,
      config: parsed,
      agents: scriptedAgentFactory(sandbox, key, behaviour),
      describeModel: describeTestDouble(),
      onNotice: extra.onNotice,
      retrieval: extra.retrieval,
    });
    return { ...result, workspace };
  }

  it("measures a positive held-out gain, with an interval above zero, when agents learn from the notes", async () => {
    // Every agent answers every problem: 200 pairs, an interval narrow enough for the double's gain (the default
    // of 60 problems answered once each detects gains from about 0.19; README "Accumulation").
    const { summary, reportPath } = await session(LEARNS_FROM_NOTES, { generations: 6, evaluation: { every: 3, heldOutProblems: 50, answersPerProblem: 4 } });
    const last = summary.generations.at(-1)!.evaluation!;
    assert.ok(gainDetected(summary), `gain ${last.gain} [${last.gainLow}, ${last.gainHigh}]`);
    assert.equal(last.pairs, 50 * 4, "50 problems, each played by the 4 agents with and without the knowledge base");
    assert.ok(last.detectableGain! > 0 && last.detectableGain! < 0.2, `detects gains from ${last.detectableGain}`);
    const report = readFileSync(reportPath, "utf8");
    assert.match(report, /The interval is [\d.]+ wide \(200 paired runs\): a true gain of about [\d.]+ or more would show/);
    assert.match(report, /with no true change a ratchet over these evaluations would sit [\d.]+ above the mean rate by chance alone/);
    assert.ok(last.withKb > last.withoutKb);
    assert.ok(summary.generations.some((g) => g.validProposals > 0 && g.notesWritten > 0));
    assert.ok(summary.generations.some((g) => g.reuse > 0), "later notes cite earlier ones");
  });

  it("tells the user once, by line and reason, about a human note it could not give the agents", async () => {
    const notices: string[] = [];
    const huge = "x".repeat(200_000);
    const { workspace } = await session(LEARNS_NOTHING, { generations: 2, evaluation: { every: 5 } }, {
      notesMd: `## Human notes\n\n### Fine\nA short note.\n\n### Too long\n${huge}\n`,
      onNotice: (message) => notices.push(message),
    });
    assert.deepEqual(notices.filter((n) => n.includes("Too long")), [
      'NOTES.md line 6, human note "Too long" was not given to the agents: it has 200,000 characters and a note holds at most 100,000; split it into several notes.',
    ]);
    assert.ok(readFileSync(join(workspace, ".culture", "NOTES.md"), "utf8").includes(huge), "the note itself is kept whole");
  });

  it("finds no gain — an interval that includes zero — when agents learn nothing from the notes", async () => {
    const { summary } = await session(LEARNS_NOTHING, { generations: 4, evaluation: { every: 2 } });
    assert.equal(gainDetected(summary), false);
    for (const g of summary.generations.filter((x) => x.evaluation)) {
      assert.ok(g.evaluation!.gainLow <= 0 && g.evaluation!.gainHigh >= 0, `gain ${g.evaluation!.gain} [${g.evaluation!.gainLow}, ${g.evaluation!.gainHigh}]`);
      assert.ok(g.evaluation!.gainHigh - g.evaluation!.gainLow > 0.05, "the two arms draw independently, so the interval has a width");
    }
  });

  it("detects no gain when retrieval returns irrelevant entries (mutation: the notes that matter are never read)", async () => {
    const { summary } = await session(LEARNS_FROM_NOTES, { generations: 6, evaluation: { every: 3 } }, { retrieval: irrelevantRetrieval });
    const last = summary.generations.at(-1)!.evaluation!;
    assert.equal(gainDetected(summary), false, `gain ${last.gain} [${last.gainLow}, ${last.gainHigh}]`);
  });

  it("detects no gain when retrieval returns nothing (mutation: the knowledge base is never read)", async () => {
    const { summary } = await session(LEARNS_FROM_NOTES, { generations: 6, evaluation: { every: 3 } }, { retrieval: noRetrieval });
    const last = summary.generations.at(-1)!.evaluation!;
    assert.equal(gainDetected(summary), false, `gain ${last.gain} [${last.gainLow}, ${last.gainHigh}]`);
  });

  it("forgets the same notes whether or not the held-out evaluation read them", async () => {
    const config = { generations: 6, problemsPerProposer: 2, sleep: { every: 2, forgetAfter: 2 }, evaluation: { heldOutProblems: 20 } };
    const evaluatedOften = await session(LEARNS_FROM_NOTES, { ...config, evaluation: { ...config.evaluation, every: 1 } });
    const evaluatedAtEnd = await session(LEARNS_FROM_NOTES, { ...config, evaluation: { ...config.evaluation, every: 100 } });
    const archived = (r: SessionResult) => r.summary.generations.map((g) => g.archived);
    assert.ok(archived(evaluatedAtEnd).some((n) => n > 0), "sleep forgets something");
    assert.deepEqual(archived(evaluatedOften), archived(evaluatedAtEnd));
  });

  it("keeps the ratchet at the best with-knowledge-base solve rate so far", async () => {
    const { summary } = await session(LEARNS_FROM_NOTES, { generations: 4, evaluation: { every: 1 } });
    let best = Number.NEGATIVE_INFINITY;
    for (const g of summary.generations) {
      best = Math.max(best, g.evaluation!.withKb);
      assert.equal(g.evaluation!.ratchet, best);
    }
  });

  it("records each generation's learnability and difficulty frontier as the knowledge base's play attempts give them", async () => {
    const { summary, workspace } = await session(LEARNS_FROM_NOTES, { generations: 4, evaluation: { every: 4 } });
    const kb = await openKnowledgeBaseReadOnly(workspace);
    const play = kb.attempts().filter((a) => (a.data as { heldOut?: boolean } | undefined)?.heldOut !== true);
    await kb.close();
    // Recomputed from the records alone: the ratings replayed attempt by attempt, read after each generation's last.
    const ratings = new RaschRatings();
    for (const g of summary.generations) {
      const mine = play.filter((a) => a.generation === g.generation);
      for (const a of mine) ratings.record({ solverId: a.agentId, problemId: a.problemId, solved: a.correct });
      const problems = [...new Set(mine.map((a) => a.problemId))];
      assert.equal(problems.length, g.validProposals, `gen ${g.generation}: every valid problem was played`);
      if (problems.length === 0) {
        assert.equal(g.learnability, undefined);
        continue;
      }
      const rate = (id: string) => mine.filter((a) => a.problemId === id && a.correct).length / mine.filter((a) => a.problemId === id).length;
      const reward = problems.map((id) => learnabilityReward(rate(id), mine.filter((a) => a.problemId === id).length));
      assert.ok(Math.abs(g.learnability! - reward.reduce((a, b) => a + b, 0) / problems.length) < 1e-12, `gen ${g.generation} learnability`);
      const mean = problems.reduce((n, id) => n + ratings.difficultyOf(id), 0) / problems.length;
      assert.ok(Math.abs(g.proposedDifficulty! - mean) < 1e-12, `gen ${g.generation} proposed difficulty`);
      const solved = problems.filter((id) => rate(id) > 0).map((id) => ratings.difficultyOf(id));
      if (solved.length === 0) assert.equal(g.hardestSolved, undefined, `gen ${g.generation}: nothing solved, no frontier`);
      else assert.equal(g.hardestSolved, Math.max(...solved), `gen ${g.generation} hardest solved`);
    }
    assert.ok(summary.generations.some((g) => g.learnability! > 0), "some problems were solved by some solvers and not others");
  });

  it("raises the collapse alarm when the population's notes and jokes narrow to three", async () => {
    const { summary } = await session({ ...LEARNS_FROM_NOTES, collapseFrom: 3 }, { generations: 7, notesWindow: 6, evaluation: { every: 1 } });
    const alarms = summary.generations.filter((g) => g.collapseAlarm).map((g) => g.generation);
    assert.ok(alarms.length > 0 && Math.min(...alarms) >= 3, `alarms at ${alarms.join(", ")}`);
    const last = summary.generations.at(-1)!;
    assert.equal(last.collapseAlarm, true, "the alarm is still up at the end: the collapse has not ended");
    assert.ok(last.collapseReasons!.some((r) => /fell past their collapse threshold/.test(r)), last.collapseReasons!.join(" | "));
  });

  it("raises no collapse alarm while notes and jokes stay diverse, though they share a template", async () => {
    const { summary } = await session(LEARNS_FROM_NOTES, { generations: 7, notesWindow: 6, evaluation: { every: 1 } });
    assert.deepEqual(summary.generations.filter((g) => g.collapseAlarm).map((g) => g.generation), []);
  });

  it("writes book chapters and forgets unused notes when it sleeps, keeping them in the record", async () => {
    const { summary, workspace } = await session(LEARNS_NOTHING, { generations: 4, sleep: { every: 2, forgetAfter: 1 }, retrievalK: 0 });
    assert.ok(summary.generations.some((g) => g.chaptersWritten > 0));
    const archived = summary.generations.reduce((s, g) => s + g.archived, 0);
    assert.ok(archived > 0);
    const kb = await openKnowledgeBaseReadOnly(workspace);
    try {
      assert.equal(kb.entries({ kinds: ["note"], includeArchived: true }).length - kb.entries({ kinds: ["note"] }).length, archived);
      assert.ok(kb.entries({ kinds: ["chapter"] }).every((c) => c.cites.length > 0), "chapters cite their sources");
    } finally {
      await kb.close();
    }
  });

  it("rejects near-duplicate notes when the novelty gate is on", async () => {
    const collapsing = { ...LEARNS_NOTHING, collapseFrom: 0 };
    const gated = await session(collapsing, { generations: 3, interventions: { noveltyGate: { enabled: true } } });
    const open = await session(collapsing, { generations: 3 });
    const written = (r: SessionResult) => r.summary.generations.reduce((s, g) => s + g.notesWritten, 0);
    assert.equal(written(gated), 1, "only the first of the identical notes gets in");
    assert.ok(written(open) > 1);
  });

  it("retires the oldest agents and brings in fresh ones that inherit only the knowledge base", async () => {
    const { workspace } = await session(LEARNS_FROM_NOTES, { generations: 5, turnover: { every: 2, fraction: 0.5 } });
    const kb = await openKnowledgeBaseReadOnly(workspace);
    try {
      const agents = kb.agents();
      const retired = agents.filter((a) => a.retiredGeneration !== undefined);
      assert.deepEqual(retired.map((a) => [a.id, a.retiredGeneration]), [["agent-1", 1], ["agent-2", 1], ["agent-3", 3], ["agent-4", 3]]);
      assert.deepEqual(agents.filter((a) => a.retiredGeneration === undefined).map((a) => a.id).sort(), ["agent-5", "agent-6", "agent-7", "agent-8"]);
      assert.ok(kb.attempts({ agentId: "agent-7" }).length > 0, "newcomers play");
    } finally {
      await kb.close();
    }
  });

  it("samples dreamt proposals hot from seed words and marks them", async () => {
    const { workspace, runId } = await session(LEARNS_FROM_NOTES, { generations: 2, interventions: { dreaming: { share: 1, temperature: 1.7 } } });
    const proposals = readRun(join(workspace, ".culture"), runId).calls.filter((c) => c.role === "proposer");
    assert.ok(proposals.length > 0 && proposals.every((c) => c.sampling.temperature === 1.7 && /Let these words inspire/.test(c.prompt)));
    const kb = await openKnowledgeBaseReadOnly(workspace);
    try {
      assert.ok(kb.entries({ kinds: ["problem"] }).every((p) => p.tags.includes("dreamt")));
    } finally {
      await kb.close();
    }
  });

  it("mixes the user's external text into what solvers read, at the configured fraction", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "cl-external-"));
    workspaces.push(workspace);
    writeFileSync(join(workspace, "outside.jsonl"), `${JSON.stringify("A proverb from outside: measure twice, cut once.")}\n`);
    const key = new AnswerKey();
    const config = parseLoopConfig({ generations: 2, interventions: { externalText: { path: "outside.jsonl", fraction: 1 } } }, "the test");
    const result = await runSession({
      workspaceDir: workspace, config, agents: scriptedAgentFactory(sandbox, key, LEARNS_FROM_NOTES),
      describeModel: describeTestDouble(),
    });
    // Generation 0 has play only; the held-out evaluation comes in generation 1, and both of its arms read the
    // external text, so the gain measures the knowledge base alone.
    const calls = readRun(join(workspace, ".culture"), result.runId).calls.filter((c) => c.role === "solver");
    const play = calls.filter((c) => c.generation === 0);
    assert.ok(play.length > 0 && play.every((c) => c.prompt.includes("measure twice, cut once")));
    const evaluation = calls.filter((c) => c.generation === 1 && c.sampling.callSeed !== undefined);
    assert.ok(evaluation.length > 0 && evaluation.every((c) => c.prompt.includes("measure twice, cut once")), "both arms of the evaluation read it");
  });

  it("asks the without-knowledge-base answer only when the with-knowledge-base one read something (otherwise it is the same call)", async () => {
    const { workspace, runId } = await session(LEARNS_FROM_NOTES, { generations: 1, evaluation: { heldOutProblems: 10, answersPerProblem: 4 } }, { retrieval: noRetrieval });
    const held = readRun(join(workspace, ".culture"), runId).calls.filter((c) => c.role === "solver" && c.sampling.callSeed !== undefined);
    assert.equal(held.length, 10 * 4, "one call per (problem, agent): nothing was retrieved, so both arms are the same prompt and seed");
    const kb = await openKnowledgeBaseReadOnly(workspace);
    try {
      const attempts = kb.attempts().filter((a) => (a.data as { heldOut?: boolean }).heldOut);
      assert.equal(attempts.length, 10 * 4 * 2, "both arms are recorded");
      const same = attempts.filter((a) => (a.data as { sameCallAsWithKb?: boolean }).sameCallAsWithKb);
      assert.equal(same.length, 10 * 4);
      assert.ok(same.every((a) => !a.usedKb), "the without-KB arm is the one taken from the with-KB call");
    } finally {
      await kb.close();
    }
  });

  it("lets the probe and the proposers read the culture: notes for the probe's prompt, notes on what was hard, and the proposer's own rewards", async () => {
    // Roles rotate: with 4 agents and 1 proposer, the first proposer proposes again in the fifth generation.
    const config = { generations: 6, evaluation: { every: 3, heldOutProblems: 10 }, sleep: { every: 0 } };
    const treatment = await session(LEARNS_FROM_NOTES, config);
    const calls = readRun(join(treatment.workspace, ".culture"), treatment.runId).calls;
    assert.ok(calls.filter((c) => c.role === "probe").some((c) => /^Notes from your community:\n- /.test(c.prompt)), "probe prompts carry retrieved notes");
    const proposals = calls.filter((c) => c.role === "proposer" && c.generation > 0);
    assert.ok(proposals.some((c) => /Your reward for your latest problems .*generation \d+: \d\.\d\d/.test(c.prompt)), "a proposer sees its rewards");
    assert.ok(proposals.some((c) => c.prompt.includes("Notes the agents wrote about problems like the hard ones:")), "a proposer reads notes about what was hard");

    const control = await session(LEARNS_FROM_NOTES, { ...config, knowledgeBaseAccess: false });
    const controlCalls = readRun(join(control.workspace, ".culture"), control.runId).calls;
    assert.ok(controlCalls.every((c) => !c.prompt.includes("Notes from your community") && !c.prompt.includes("Notes the agents wrote")), "nobody reads the knowledge base in the control");
  });

  it("makes no more calls than the plan it states before starting, and at least its evaluations' lower bound", async () => {
    const config = { generations: 4, evaluation: { every: 2, heldOutProblems: 10 } };
    const { workspace, runId } = await session(LEARNS_FROM_NOTES, config);
    const plan = planCalls(parseLoopConfig(config, "the test"));
    const calls = readRun(join(workspace, ".culture"), runId).calls;
    const evaluation = calls.filter((c) => c.role === "probe" || (c.role === "solver" && c.sampling.callSeed !== undefined)).length;
    const play = calls.filter((c) => ["proposer", "writer"].includes(c.role) || (c.role === "solver" && c.sampling.callSeed === undefined)).length;
    assert.equal(plan.evaluations, 2);
    assert.ok(evaluation >= plan.evaluationLow && evaluation <= plan.evaluationHigh, `${evaluation} evaluation calls, plan ${plan.evaluationLow}–${plan.evaluationHigh}`);
    assert.ok(play <= plan.play && play > 0, `${play} play calls, plan at most ${plan.play}`);
  });

  it("gives the with- and without-knowledge-base answers of each held-out (problem, agent) pair the same sampler seed", async () => {
    // Every with-KB answer reads something (the first notes), so both arms are asked.
    const firstNotes: Retrieval = (kb, _query, k) => kb.entries({ kinds: ["note"] }).slice(0, k);
    const { workspace, runId } = await session(LEARNS_NOTHING, { generations: 2, evaluation: { every: 2, heldOutProblems: 10, answersPerProblem: 4 } }, { retrieval: firstNotes });
    const held = readRun(join(workspace, ".culture"), runId).calls.filter((c) => c.role === "solver" && c.sampling.callSeed !== undefined);
    assert.equal(held.length, 10 * 4 * 2, "every held-out call has a pinned seed");
    const agentsBySeed = new Map<unknown, string[]>();
    for (const c of held) agentsBySeed.set(c.sampling.callSeed, [...(agentsBySeed.get(c.sampling.callSeed) ?? []), c.agentId]);
    assert.equal(agentsBySeed.size, held.length / 2, "each seed serves exactly one pair");
    assert.ok([...agentsBySeed.values()].every((ids) => ids.length === 2 && ids[0] === ids[1]), "the two calls of a seed are one agent's two arms");
  });

  it("records prompts that ask for reasoning first, show a worked example per mode, and give note writers the verified truth", async () => {
    const result = await session(LEARNS_FROM_NOTES, { generations: 2, evaluation: { every: 5 } });
    const run = readRun(join(result.workspace, ".culture"), result.runId);
    const proposer = run.calls.filter((c) => c.role === "proposer");
    assert.ok(proposer.length > 0 && proposer.every((c) => c.prompt.includes('{"reasoning": "..."') && c.prompt.includes("Example reply:")));
    // The curriculum starts at "arithmetic": proposers see the form of a reply, held to f of one whole number.
    assert.ok(proposer.every((c) => c.prompt.includes(LEVEL_SPECS.arithmetic.says)), "the level says what f is");
    assert.ok(proposer.some((c) => c.prompt.includes('"inputs":[["<a whole number>"]]')), "the form shows one call of one whole number");
    const open = await session(LEARNS_FROM_NOTES, { generations: 1, evaluation: { every: 5 }, curriculum: { start: "free" } });
    const openProposer = readRun(join(open.workspace, ".culture"), open.runId).calls.filter((c) => c.role === "proposer");
    assert.ok(openProposer.some((c) => c.prompt.includes('"inputs":[[[3,8,1,4]]]')), "the open game's deduction example shows a list argument nested three deep");
    const solver = run.calls.filter((c) => c.role === "solver");
    assert.ok(solver.length > 0 && solver.every((c) => c.prompt.includes("Example reply:") && c.prompt.includes('"reasoning"')));
    const writer = run.calls.filter((c) => c.role === "writer");
    assert.ok(writer.length > 0);
    // Every problem a writer played is shown with its true output (or input, or held-back pairs) from the sandbox.
    const kb = await openKnowledgeBaseReadOnly(result.workspace);
    const problems = kb.entries({ kinds: ["problem"] }).map((e) => (e.data as { problem: { mode: string; examples: Array<{ input: unknown[]; output: unknown }>; heldOut: number } }).problem);
    for (const call of writer) {
      assert.match(call.prompt, /Your answer: .*\n  Verdict: (solved|failed \(.+\))\n  The truth: /);
    }
    const deduction = problems.find((p) => p.mode === "deduction");
    if (deduction) {
      const truth = `returns ${JSON.stringify(deduction.examples[0]!.output)}`;
      assert.ok(writer.some((c) => c.prompt.includes(truth)), `no writer saw '${truth}'`);
    }
    const induction = problems.find((p) => p.mode === "induction");
    if (induction) assert.ok(writer.some((c) => c.prompt.includes("the held-back pairs: ") && c.prompt.includes("the proposer's f: ")));
    assert.ok(deduction || induction, "the session played a problem");
  });

  it("records every call and gives the same calls again for the same seed", async () => {
    const a = await session(LEARNS_FROM_NOTES, { generations: 2, seed: 5 });
    const b = await session(LEARNS_FROM_NOTES, { generations: 2, seed: 5 });
    const calls = (r: SessionResult & { workspace: string }) => readRun(join(r.workspace, ".culture"), r.runId).calls.map((c) => [c.agentId, c.role, c.output]);
    assert.ok(calls(a).length > 0);
    assert.deepEqual(calls(a), calls(b));
    const report = readFileSync(a.reportPath, "utf8");
    assert.match(report, /Verdict/);
  });
});
