// `culture-lab experiment` end to end on the project's tiny random model, through the engine process: two
// conditions, one seed, one generation each — the machinery (one loaded model serving both runs, the records,
// the comparison, the noise banner), not learning.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { captureIO } from "../helpers/captureIO";

describe("culture-lab experiment on the tiny model", function () {
  this.timeout(600_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cl-tiny-experiment-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every condition on one loaded model and writes the comparison with the noise banner", async () => {
    writeFileSync(
      join(dir, "experiment.json"),
      JSON.stringify({
        base: { generations: 1, runtime: { model: "tiny" }, evaluation: { heldOutProblems: 5, probePrompts: ["Tell me a joke."], probeSamples: 1 } },
        matrix: { knowledgeBaseAccess: [false, true] },
        seeds: [3],
      }),
    );
    const io = captureIO(dir);
    const code = await runCli(["experiment", "--config", "experiment.json"], io);
    assert.equal(code, 0, io.stderr());
    assert.equal(io.stderr().match(/Decoding on 1 thread/g)?.length, 1, "the model is opened once for both runs");
    assert.match(io.stderr(), /run 1 of 2: condition "knowledgeBaseAccess=false", seed 3/);
    assert.match(io.stderr(), /run 2 of 2: condition "knowledgeBaseAccess=true", seed 3/);
    assert.match(io.stdout(), /knowledgeBaseAccess=true vs knowledgeBaseAccess=false: no measurable difference/);
    const [id] = readdirSync(join(dir, ".culture", "experiments"));
    const report = readFileSync(join(dir, ".culture", "experiments", id!, "report.html"), "utf8");
    assert.match(report, /random-weight model/i, "the noise banner of its runs");
    assert.deepEqual(readdirSync(join(dir, ".culture", "experiments", id!, "runs")).sort(), ["knowledgeBaseAccess=false--seed-3", "knowledgeBaseAccess=true--seed-3"]);
  });
});
