import assert from "node:assert/strict";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { CultureLabError } from "../../workspace-kb/errors";

describe("the loop configuration", () => {
  it("fills every field from defaults when given nothing", () => {
    const config = parseLoopConfig(undefined, "defaults");
    assert.equal(config.population.size, 4);
    assert.equal(config.interventions.noveltyGate.enabled, false);
    assert.ok(config.evaluation.probePrompts.length > 0);
  });

  it("names the file and the field when a value is wrong", () => {
    assert.throws(
      () => parseLoopConfig({ population: { size: "many" } }, "session.json"),
      (e: unknown) => e instanceof CultureLabError && /session\.json/.test(e.message) && /population\.size/.test(e.message),
    );
  });

  it("refuses external text at a fraction above zero without a corpus to take it from", () => {
    assert.throws(() => parseLoopConfig({ interventions: { externalText: { fraction: 0.2 } } }, "x.json"), /needs the path of a JSONL corpus/);
  });

  it("refuses a population with nobody left to solve", () => {
    assert.throws(() => parseLoopConfig({ population: { size: 2, proposers: 2 } }, "x.json"), /someone has to solve/);
  });
});
