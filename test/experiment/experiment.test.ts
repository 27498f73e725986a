// Experiments with controls (issue 15, part 3): conditions × seeds, each a whole session, compared against the
// control with paired differences. With scripted agents whose skill comes from what the notes teach, the
// knowledge-base condition must beat the control; with agents that learn nothing, no difference may be claimed.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseExperiment } from "../../agents/experiment/experimentConfig";
import { pairedDifference, type ExperimentRun } from "../../agents/experiment/compareRuns";
import { runExperiment } from "../../agents/experiment/runExperiment";
import { runSession } from "../../agents/loop/session";
import { Sandbox } from "../../agents/sandbox/sandbox";
import { runCli } from "../../agents/cli/main";
import { CultureLabError } from "../../workspace-kb/errors";
import { describeTestDouble, heldOutAnswerKey, scriptedAgentFactory, type ScriptedBehaviour } from "../doubles/scriptedAgent";
import { captureIO } from "../helpers/captureIO";

const LEARNS_FROM_NOTES: ScriptedBehaviour = { baseSkill: 0.15, skillPerNote: 0.3, maxSkill: 0.95 };
const LEARNS_NOTHING: ScriptedBehaviour = { baseSkill: 0.35, skillPerNote: 0, maxSkill: 0.95 };

describe("an experiment with a control", function () {
  this.timeout(300_000);
  let sandbox: Sandbox;
  let dir: string;
  before(async () => (sandbox = await Sandbox.create()));
  after(() => sandbox.dispose());
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cl-experiment-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const KB_VS_CONTROL = {
    base: { generations: 6, evaluation: { every: 3 } },
    conditions: [{ name: "control", config: { knowledgeBaseAccess: false } }, { name: "kb", config: {} }],
    seeds: [1, 2],
  };

  async function scripted(behaviour: ScriptedBehaviour, experiment: unknown) {
    const plan = parseExperiment(experiment, "experiment.json");
    return runExperiment({
      workspaceDir: dir,
      folder: ".culture",
      plan,
      source: "experiment.json",
      runSession: async ({ config, workspaceDir }) => {
        const key = await heldOutAnswerKey(sandbox, config);
        return runSession({
          workspaceDir,
          config,
          agents: scriptedAgentFactory(sandbox, key, behaviour),
          describeModel: describeTestDouble(),
        });
      },
    });
  }

  it("finds the knowledge-base condition better than the control when agents learn from notes, and writes the report", async () => {
    const result = await scripted(LEARNS_FROM_NOTES, KB_VS_CONTROL);
    assert.equal(result.finished, 4);
    const kb = result.comparison.conditions.find((c) => c.condition === "kb")!;
    assert.ok(kb.versusControl!.low > 0, `difference ${kb.versusControl!.difference} [${kb.versusControl!.low}, ${kb.versusControl!.high}]`);
    assert.equal(kb.versusControl!.pairs, 2 * 60, "every held-out problem of both seeds is a pair (the default bank: 60, each answered once)");
    assert.match(result.comparison.verdicts[0]!, /^kb solved more held-out problems than control: \+0\.\d+ \(95% CI \+0\.\d+\.\.\+0\.\d+, 120 paired problems\)\.$/);
    assert.deepEqual(result.comparison.differences, [{ setting: "knowledgeBaseAccess", values: { control: false, kb: true } }]);

    const report = readFileSync(result.reportPath, "utf8");
    assert.match(report, /kb solved more held-out problems than control/);
    assert.match(report, /<td>knowledgeBaseAccess<\/td><td>false<\/td><td>true<\/td>/);
    assert.ok((report.match(/<svg /g) ?? []).length >= 5, "a chart per curve");
    const csv = readFileSync(join(result.dir, "series.csv"), "utf8").trim().split("\n");
    assert.equal(csv[0], "condition,seed,run,generation,series,value");
    assert.ok(csv.some((l) => /^kb,2,[\w-]+,6,heldOutWithKb,/.test(l)));
    const document = JSON.parse(readFileSync(join(result.dir, "experiment.json"), "utf8")) as { runs: Array<{ workspace: string; runId: string }> };
    for (const run of document.runs) assert.ok(existsSync(join(result.dir, run.workspace, ".culture", "runs", run.runId, "manifest.json")), "each run is recorded like any run");
  });

  it("claims no difference when the agents learn nothing from the notes", async () => {
    const result = await scripted(LEARNS_NOTHING, KB_VS_CONTROL);
    const kb = result.comparison.conditions.find((c) => c.condition === "kb")!.versusControl!;
    assert.ok(kb.low <= 0 && kb.high >= 0, `difference ${kb.difference} [${kb.low}, ${kb.high}]`);
    assert.match(result.comparison.verdicts[0]!, /^kb vs control: no measurable difference/);
  });

  it("pairs a condition's problems with the control's under the same seed only", () => {
    const run = (condition: string, seed: number, heldOut: Record<string, number>): ExperimentRun => ({ condition, seed, runId: "r", workspace: "w", generations: [], caveats: [], heldOut });
    const d = pairedDifference([run("a", 1, { p: 1, q: 1 }), run("a", 2, { p: 1 })], [run("c", 1, { p: 0, q: 1 }), run("c", 3, { p: 0 })], 1);
    assert.equal(d.pairs, 2, "seed 2 has no control run to pair with");
    assert.equal(d.difference, 0.5);
  });
});

describe("an experiment file", () => {
  it("makes the cross product of a matrix of settings", () => {
    const plan = parseExperiment({ matrix: { knowledgeBaseAccess: [false, true], "sampling.temperature": [0.5, 1] }, seeds: [7] }, "e.json");
    assert.deepEqual(plan.conditions.map((c) => c.name), ["knowledgeBaseAccess=false_temperature=0.5", "knowledgeBaseAccess=false_temperature=1", "knowledgeBaseAccess=true_temperature=0.5", "knowledgeBaseAccess=true_temperature=1"]);
    const config = plan.configs.get("knowledgeBaseAccess=true_temperature=0.5--seed-7")!;
    assert.equal(config.sampling.temperature, 0.5);
    assert.equal(config.knowledgeBaseAccess, true);
    assert.equal(config.seed, 7);
    assert.equal(plan.control, plan.conditions[0]!.name);
  });

  it("is refused with every problem named: misspelt settings per condition, a control that is not one, a repeated seed", () => {
    const refused = (raw: unknown) => {
      try {
        parseExperiment(raw, "e.json");
      } catch (error) {
        assert.ok(error instanceof CultureLabError);
        return error.message;
      }
      assert.fail("accepted");
    };
    const misspelt = refused({ base: { generation: 2 }, conditions: [{ name: "a", config: {} }, { name: "b", config: { knowledgeBaseAcess: false } }] });
    assert.match(misspelt, /e\.json, condition "a": "generation" is not a setting — did you mean "generations"\?/);
    assert.match(misspelt, /e\.json, condition "b": "knowledgeBaseAcess" is not a setting — did you mean "knowledgeBaseAccess"\?/);
    assert.match(refused({ conditions: [{ name: "a" }, { name: "b" }], control: "c" }), /the control "c" is not one of the conditions \(a, b\)/);
    assert.match(refused({ conditions: [{ name: "a" }, { name: "b" }], seeds: [1, 1] }), /lists a seed twice/);
    assert.match(refused({ conditions: [{ name: "a" }] }), /at least two conditions/);
    assert.match(refused({ conditons: [] }), /"conditons" is not a setting — did you mean "conditions"\?/);
    assert.match(refused({ conditions: [{ name: "a", config: { seed: 3 } }, { name: "b" }] }), /"seed" is set by "seeds", not per condition/);
  });

  it("is required by the command, which says so in one line", async () => {
    const io = captureIO();
    assert.equal(await runCli(["experiment"], io), 2);
    assert.match(io.stderr(), /--config FILE is required/);
  });
});
