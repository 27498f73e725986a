// The editor's manifest is a view of the code: settings come from the engine's configuration schema, commands
// from the command table. These tests fail when package.json and the code disagree.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loopConfigSchema, parseLoopConfig } from "../../agents/loop/loopConfig";
import { COMMANDS } from "../../extension/commandTable";
import { manifestContributions } from "../../extension/manifestContributions";
import { configFromSettings } from "../../extension/sessionConfig";
import { configurationContribution, settingPaths } from "../../extension/settingsContribution";

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
  contributes: Record<string, unknown>;
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: unknown } };
};

/** Every leaf of a parsed configuration, as dotted paths (arrays are leaves). */
function leaves(value: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(value).flatMap(([key, v]) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

describe("the extension's manifest", () => {
  it("contributes exactly what the command table and the configuration schema generate (npm run gen:manifest)", () => {
    assert.deepEqual(manifest.contributes, JSON.parse(JSON.stringify(manifestContributions())));
  });

  it("has a setting for every field of the loop configuration, and no other", () => {
    const fields = leaves(parseLoopConfig({}, "the test") as unknown as Record<string, unknown>).sort();
    // externalText.path and population.agents are optional without a default, so the parsed defaults lack them.
    assert.deepEqual(settingPaths().sort(), [...fields, "interventions.externalText.path", "population.agents"].sort());
  });

  it("gives every setting a description, and the schema's type and default", () => {
    for (const [key, setting] of Object.entries(configurationContribution().properties)) {
      assert.ok(setting.markdownDescription.length > 10, `${key} has a description`);
    }
    const props = configurationContribution().properties;
    assert.equal(props["cultureLab.population.size"]!.default, 4);
    assert.equal(props["cultureLab.population.size"]!.maximum, 64);
    assert.equal(props["cultureLab.knowledgeBaseAccess"]!.type, "boolean");
    // Machine-dependent defaults are left to the engine rather than frozen into the manifest.
    assert.equal(props["cultureLab.runtime.threads"]!.default, "auto");
  });

  it("accepts every generated default, so settings left at their defaults make a valid session", () => {
    const props = configurationContribution().properties;
    const config = configFromSettings((path) => props[`cultureLab.${path}`]!.default);
    assert.doesNotThrow(() => parseLoopConfig(config, "the defaults"));
    assert.equal(loopConfigSchema.safeParse(config).success, true);
  });

  it("lists every command once, in the Culture Lab category, hiding the ones that need an argument from the palette", () => {
    const commands = manifest.contributes.commands as Array<{ command: string; category: string }>;
    assert.deepEqual(commands.map((c) => c.command).sort(), COMMANDS.map((c) => c.id).sort());
    assert.ok(commands.every((c) => c.category === "Culture Lab"));
    const hidden = ((manifest.contributes.menus as Record<string, Array<{ command: string }>>).commandPalette ?? []).map((m) => m.command);
    assert.deepEqual(hidden.sort(), COMMANDS.filter((c) => !c.palette).map((c) => c.id).sort());
  });

  it("activates only on its own commands and views, runs from the CommonJS bundle, and is limited in untrusted workspaces", () => {
    assert.deepEqual(manifest.activationEvents.filter((e) => e === "*" || e === "onStartupFinished"), []);
    assert.equal(manifest.main, "./dist/extension.cjs");
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, "limited");
  });
});
