// The README's command table is what a user reads first; it must not drift from the CLI (issue 10, finding 9):
// every command is listed, nothing that is not a command is, and every option a command's --help names is in
// its row. The configuration's defaults block must be the schema's defaults.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { commands } from "../../agents/cli/commands";
import { CULTURE_LAB_VERSION } from "../../agents/cli/version";
import { parseLoopConfig } from "../../agents/loop/loopConfig";

const ROOT = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** Rows of the table under "## The command line": command name → the row's text. */
function commandRows(): Map<string, string> {
  const section = readme.slice(readme.indexOf("## The command line"), readme.indexOf("\n## ", readme.indexOf("## The command line") + 5));
  const rows = new Map<string, string>();
  for (const line of section.split("\n")) {
    const match = /^\| `([a-z-]+)[ `]/.exec(line);
    if (match) rows.set(match[1]!, line);
  }
  return rows;
}

/** The options a command's help lists (lines that start with an option). */
function helpOptions(help: string): string[] {
  return [...help.matchAll(/^\s+(--?[a-z][a-z-]*)/gm)].map((m) => m[1]!);
}

describe("the README's command table", () => {
  it("lists exactly the commands the CLI has", () => {
    assert.deepEqual([...commandRows().keys()].sort(), commands.map((c) => c.name).sort());
  });

  it("names in each command's row every option its --help lists", () => {
    const rows = commandRows();
    const missing: string[] = [];
    for (const command of commands) {
      const row = rows.get(command.name) ?? "";
      for (const option of helpOptions(command.help)) if (!row.includes(option)) missing.push(`${command.name} ${option}`);
    }
    assert.deepEqual(missing, []);
  });

  it("gives every command's --help a paragraph on what happens on bad input", () => {
    const silent = commands.filter((c) => !/bad input|on error|refuse|is refused/i.test(c.help)).map((c) => c.name);
    assert.deepEqual(silent, []);
  });
});

describe("the documents the CLI points to", () => {
  it("are in the project", () => {
    const named = commands.flatMap((c) => [...`${c.help}\n${c.summary}`.matchAll(/([\w./-]+\.md)\b/g)].map((m) => m[1]!));
    assert.ok(named.length > 0);
    assert.deepEqual(named.filter((path) => !existsSync(join(ROOT, path))), []);
  });
});

describe("the README's configuration defaults", () => {
  it("are the defaults the schema gives (apart from the machine-dependent models folder)", () => {
    const section = readme.slice(readme.indexOf("### Configuration"));
    const block = /```json\n([\s\S]*?)\n```/.exec(section)![1]!;
    const documented = JSON.parse(block) as Record<string, unknown>;
    const actual = JSON.parse(JSON.stringify(parseLoopConfig({}, "the defaults"))) as { runtime: Record<string, unknown> };
    delete actual.runtime.modelsDir;
    assert.deepEqual(documented, actual);
  });
});

describe("the version", () => {
  it("printed by --version is package.json's", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(CULTURE_LAB_VERSION, pkg.version);
  });
});
