import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildLlamaCpp, nodeLlamaCppDir } from "../../agents/native/llamaCppSource";
import { CultureLabError } from "../../workspace-kb/errors";

describe("llama.cpp built from node-llama-cpp's bundled source", () => {
  it("finds the source bundle node-llama-cpp ships", () => {
    assert.ok(existsSync(join(nodeLlamaCppDir(), "llama", "gitRelease.bundle")));
  });

  it("says which tool to install when git or cmake is missing, instead of failing with a spawn error", async () => {
    const saved = { path: process.env.PATH, cache: process.env.XDG_CACHE_HOME };
    const home = mkdtempSync(join(tmpdir(), "cl-native-"));
    process.env.PATH = join(home, "no-tools");
    process.env.XDG_CACHE_HOME = home;
    try {
      await assert.rejects(buildLlamaCpp({ name: "build-x", flags: [], targets: ["llama-server"] }, () => {}), (e: unknown) => {
        assert.ok(e instanceof CultureLabError && e.code === "native-build-tools", String(e));
        assert.match(e.explain(), /needs git[\s\S]*apt-get install cmake g\+\+ git/);
        return true;
      });
    } finally {
      process.env.PATH = saved.path;
      if (saved.cache === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.cache;
      rmSync(home, { recursive: true, force: true });
    }
  });
});
