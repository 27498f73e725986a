// The VSIX a user installs: what it carries (the bundles, node-llama-cpp's CPU build for Linux x64, QuickJS) and
// what it must not (other platforms, GPU builds, llama.cpp's source bundle, sources, source maps), and its size.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { listZip } from "./zipListing";

const ROOT = join(import.meta.dirname, "..", "..");
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
const VSIX = join(ROOT, `${manifest.name}-linux-x64-${manifest.version}.vsix`);
/** The stated limit (README, "In VS Code"): the package must stay under it. */
const LIMIT_MB = 30;

describe("the packaged extension (npm run package)", function () {
  before(function () {
    if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` (npm test does it first).`);
  });

  it(`is under ${LIMIT_MB} MB`, () => {
    const mb = statSync(VSIX).size / 1e6;
    assert.ok(mb < LIMIT_MB, `${mb.toFixed(1)} MB`);
  });

  it("carries the extension, the engine and the sandbox bundles, the panel's scripts, and the runtime packages they load", () => {
    const names = new Set(listZip(VSIX).map((e) => e.name));
    for (const file of ["extension/package.json", "extension/dist/extension.cjs", "extension/dist/engine.mjs", "extension/dist/sandbox-worker.mjs", "extension/extension/media/culture-lab.svg", "extension/dist/webview/panel.js", "extension/dist/webview/lineage-layout.js", "extension/dist/webview/panel.css", "extension/node_modules/node-llama-cpp/package.json"]) {
      assert.ok(names.has(file), file);
    }
    const names2 = [...names];
    assert.ok(names2.some((n) => /^extension\/node_modules\/@node-llama-cpp\/linux-x64\/bins\/.*\.node$/.test(n)), "node-llama-cpp's Linux x64 CPU binary");
    assert.ok(names2.some((n) => /^extension\/node_modules\/@jitl\/quickjs-wasmfile-release-sync\/.*\.wasm$/.test(n)), "QuickJS's WebAssembly");
  });

  it("leaves out other platforms, GPU builds, llama.cpp's source bundle, sources, build plugins, tests and source maps", () => {
    const unwanted = listZip(VSIX)
      .map((e) => e.name)
      .filter((n) => /@node-llama-cpp\/(linux-(arm|x64-)|mac-|win-)|gitRelease\.bundle|\.map$|^extension\/(agents|workspace-kb|test|webview)\/|^extension\/extension\/.*\.ts$|^extension\/dist\/cli\.mjs$/.test(n));
    assert.deepEqual(unwanted, []);
  });
});
