// The report as a person reads it: rewritten after every generation, rebuilt by `culture-lab report` for a
// stopped run, saying why proposals were refused, and showing what the agents wrote next to the figures.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROLE_BUDGETS } from "../../agents/loop/roleBudgets";
import { runCli } from "../../agents/cli/main";
import type { AgentFactory } from "../../agents/loop/agentPort";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { NOISE_CAVEAT } from "../../agents/loop/modelSession";
import { runSession } from "../../agents/loop/session";
import { escapeHtml } from "../../agents/report/escapeHtml";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { heldOutAnswerKey, scriptedAgentFactory } from "../doubles/scriptedAgent";
import { captureIO } from "../helpers/captureIO";

const TRUNCATED = "output was cut at the token limit before the JSON was complete (212 characters)";

/**
 * TEST DOUBLE wrapper: every other proposal of the scripted agents is cut at the token limit, as the tiny model's
 * are — and so is its retry with the larger budget (the loop asks a truncated reply once more).
 */
function truncatingEveryOtherProposal(factory: AgentFactory): AgentFactory {
  return async (spec) => {
    const agent = await factory(spec);
    let proposals = 0;
    let lastCut = false;
    return {
      id: agent.id,
      persona: agent.persona,
      seed: agent.seed,
      sampling: agent.sampling,
      async reply(request) {
        const retry = request.role === "proposer" && lastCut && request.maxTokens === ROLE_BUDGETS.proposer.retryTokens;
        const cut = request.role === "proposer" && (retry || proposals++ % 2 === 1);
        if (request.role === "proposer") lastCut = cut;
        if (cut) {
          return { ok: false, reason: "truncated", message: TRUNCATED, text: '{"program": "x =>', usage: { promptTokens: 0, completionTokens: 40, ms: 0 } };
        }
        return agent.reply(request);
      },
    };
  };
}

describe("the run report", function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  const workspaces: string[] = [];
  before(async () => (sandbox = await Sandbox.create()));
  after(() => {
    sandbox.dispose();
    workspaces.forEach((w) => rmSync(w, { recursive: true, force: true }));
  });

  async function session(config: Record<string, unknown>, options: { stopAfter?: number; isNoise?: boolean } = {}) {
    const workspace = mkdtempSync(join(tmpdir(), "cl-report-"));
    workspaces.push(workspace);
    const parsed = parseLoopConfig(config, "the test");
    const key = await heldOutAnswerKey(sandbox, parsed);
    const stop = new AbortController();
    let runId = "";
    const result = await runSession({
      workspaceDir: workspace,
      config: parsed,
      agents: truncatingEveryOtherProposal(scriptedAgentFactory(sandbox, key, { baseSkill: 0.4, skillPerNote: 0.2, maxSkill: 0.9 })),
      describeModel: async () => ({ model: { name: "scripted test double", sha256: "", parameters: 0, isNoise: options.isNoise ?? false }, manifest: { models: [], versions: {} } }),
      signal: stop.signal,
      onStarted: (run) => (runId = run.runId),
      onGeneration: (g) => {
        if (g.generation === options.stopAfter) stop.abort(new Error("stopped by the test"));
      },
    }).then(
      (r) => r,
      (error: unknown) => {
        if (!stop.signal.aborted) throw error;
        return undefined;
      },
    );
    const runDir = join(workspace, ".culture", "runs", runId);
    return { workspace, runId, runDir, result, report: () => readFileSync(join(runDir, "report.html"), "utf8") };
  }

  const CONFIG = { generations: 3, problemsPerProposer: 2, sleep: { every: 3 }, evaluation: { every: 3, heldOutProblems: 5, probeSamples: 1 } };

  it("says how many proposals were refused and why, with one example of each reason", async () => {
    const { report, result } = await session(CONFIG);
    const proposals = result!.summary.generations.reduce((n, g) => n + g.proposals, 0);
    const truncated = result!.summary.generations.reduce((n, g) => n + (g.invalidReasons.truncated ?? 0), 0);
    assert.ok(truncated > 0 && truncated < proposals, `${truncated} of ${proposals}`);
    assert.match(report(), new RegExp(`of ${proposals} proposed problems were valid \\(\\d+%\\) — ${truncated} truncated at maxTokens`));
    assert.match(report(), /Why proposals were refused/);
    assert.ok(report().includes(`${TRUNCATED}`), "one example, with what the check said");
  });

  it("shows samples of notes, chapters, problems with verdicts and probe answers, a row per agent, and links the records beside it", async () => {
    const { report, runDir, workspace, runId } = await session(CONFIG);
    const kb = await openKnowledgeBaseReadOnly(workspace);
    try {
      const note = kb.entries({ kinds: ["note"], includeArchived: true }).at(-1)!;
      const chapter = kb.entries({ kinds: ["chapter"] }).at(-1)!;
      const problem = kb.entries({ kinds: ["problem"] }).at(-1)!;
      const tried = kb.attempts({ problemId: problem.id }).filter((a) => !(a.data as { heldOut?: boolean }).heldOut);
      assert.ok(report().includes(note.title) && report().includes(chapter.title), "the newest note and chapter are shown");
      assert.ok(report().includes(`${problem.id} · ${problem.author} · generation ${problem.generation} · solved by ${tried.filter((a) => a.correct).length} of ${tried.length} attempts`));
      assert.match(report(), /Probe answers \(last probe\)[\s\S]*A \w+ walked into a/);
      for (const agent of kb.agents()) assert.match(report(), new RegExp(`<td class="text">${agent.id}</td><td class="text">${agent.model}</td><td class="text">[^<]*(proposer|solver) ×\\d+`));
    } finally {
      await kb.close();
    }
    assert.match(report(), /<a href="calls.jsonl">calls.jsonl<\/a>/);
    const series = JSON.parse(readFileSync(join(runDir, "series.json"), "utf8")) as Array<{ generation: number }>;
    assert.deepEqual(series.map((g) => g.generation), [0, 1, 2]);
    const csv = readFileSync(join(runDir, "series.csv"), "utf8").trim().split("\n");
    assert.equal(csv.length, 4, "a header and a row per generation");
    assert.ok(existsSync(join(runDir, "calls.jsonl")), runId);
  });

  it("is on disk after every generation, so a stopped run has the report of what it finished, and `culture-lab report` rebuilds it", async () => {
    const { report, runDir, workspace, runId } = await session({ ...CONFIG, generations: 5 }, { stopAfter: 1 });
    assert.match(report(), /covers 2 of the 5 planned generations/);
    rmSync(join(runDir, "report.html"));
    rmSync(join(runDir, "series.csv"));
    const io = captureIO(workspace);
    assert.equal(await runCli(["report", runId], io), 0, io.stderr());
    assert.equal(io.stdout().trim().split("\n").at(-1), join(runDir, "report.html"), "the last line is the report's path");
    assert.match(io.stdout(), /run \S+: 2 generation\(s\) recorded, \d+ of \d+ proposals valid — \d+ truncated at maxTokens/);
    assert.match(report(), /covers 2 of the 5 planned generations/);
    assert.match(report(), /Why proposals were refused/);
    assert.ok(existsSync(join(runDir, "series.csv")));
  });

  it("`culture-lab report` names a run that does not exist", async () => {
    const { workspace } = await session({ ...CONFIG, generations: 1 });
    const io = captureIO(workspace);
    assert.equal(await runCli(["report", "20990101T000000-abcdef"], io), 1);
    assert.match(io.stderr(), /No run '20990101T000000-abcdef'/);
  });

  it("carries the noise banner whenever the model is a random-weight one", async () => {
    const { report } = await session({ ...CONFIG, generations: 1 }, { isNoise: true });
    assert.ok(report().includes(`<p class="caveat">${escapeHtml(NOISE_CAVEAT)}</p>`));
  });
});
