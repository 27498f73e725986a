import assert from "node:assert/strict";
import { parseLoopConfig } from "../../agents/loop/loopConfig";
import { configFromSettings, mergeConfig } from "../../extension/sessionConfig";
import { SESSION_PRESETS } from "../../extension/sessionPresets";

describe("a session started from the editor", () => {
  it("takes only the settings the user set, and leaves the rest to the engine's defaults", () => {
    const set: Record<string, unknown> = { "runtime.model": "tiny", "population.size": 6, "sampling.temperature": 0.5 };
    const config = configFromSettings((path) => set[path]);
    assert.deepEqual(config, { runtime: { model: "tiny" }, population: { size: 6 }, sampling: { temperature: 0.5 } });
    const parsed = parseLoopConfig(config, "settings");
    assert.equal(parsed.population.size, 6);
    assert.equal(parsed.population.proposers, 1, "an unset field keeps its default");
  });

  it("treats an emptied setting as unset", () => {
    assert.deepEqual(configFromSettings((path) => (path === "runtime.threads" ? null : path === "runtime.model" ? "" : undefined)), {});
  });

  it("lays a preset or session file over the settings field by field", () => {
    const settings = { runtime: { model: "tiny", threads: 1 }, generations: 40, knowledgeBaseAccess: true };
    const merged = mergeConfig(settings, { generations: 3, runtime: { contextSize: 1024 }, knowledgeBaseAccess: false });
    assert.deepEqual(merged, { runtime: { model: "tiny", threads: 1, contextSize: 1024 }, generations: 3, knowledgeBaseAccess: false });
    assert.deepEqual(settings.runtime, { model: "tiny", threads: 1 }, "the settings object is not changed");
  });

  it("offers the five presets of the README, each a valid configuration", () => {
    assert.deepEqual(SESSION_PRESETS.map((p) => p.label), ["Quick look", "Standard", "Control: no knowledge base", "Dreaming", "Novelty gate"]);
    for (const preset of SESSION_PRESETS) assert.doesNotThrow(() => parseLoopConfig(preset.config, preset.label), preset.label);
    assert.equal(parseLoopConfig(SESSION_PRESETS[2]!.config, "control").knowledgeBaseAccess, false);
    assert.ok(parseLoopConfig(SESSION_PRESETS[3]!.config, "dreaming").interventions.dreaming.share > 0);
    assert.equal(parseLoopConfig(SESSION_PRESETS[4]!.config, "novelty").interventions.noveltyGate.enabled, true);
    assert.ok(parseLoopConfig(SESSION_PRESETS[0]!.config, "quick").generations <= 3);
  });
});
