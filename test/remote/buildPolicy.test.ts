import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { llamaServerOrWhyNot } from "./llamaServer";

describe("the llama-server tests on a machine without build tools", () => {
  const saved = { path: process.env.PATH, cache: process.env.XDG_CACHE_HOME, ci: process.env.CI };
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "cl-no-tools-"));
    process.env.PATH = join(home, "no-tools");
    process.env.XDG_CACHE_HOME = home;
  });
  afterEach(() => {
    process.env.PATH = saved.path;
    for (const [key, value] of [["XDG_CACHE_HOME", saved.cache], ["CI", saved.ci]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(home, { recursive: true, force: true });
  });

  it("are skipped outside CI, with the missing tool and how to install it", async () => {
    delete process.env.CI;
    const found = await llamaServerOrWhyNot(() => {});
    assert.ok("missing" in found);
    assert.match(found.missing, /needs git[\s\S]*apt-get install cmake g\+\+ git/);
  });

  it("fail in CI (CI=true), so a CI machine that lost a tool cannot pass by skipping them", async () => {
    process.env.CI = "true";
    await assert.rejects(llamaServerOrWhyNot(() => {}), (e: unknown) => e instanceof CultureLabError && e.code === "native-build-tools");
  });
});
