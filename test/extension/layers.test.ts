// The house is layered: the engine knows nothing of the editor, the extension reaches the engine only through
// its client, its protocol and the configuration schema, and the extension bundle carries no llama.cpp, QuickJS
// or culture loop (those run in the engine process).
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";

const ROOT = join(import.meta.dirname, "..", "..");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : tsFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from\s+|import\s+|import\s*\(\s*|require\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
}

/** What the extension may import from the engine's and the panel's sides of the house (paths from the repository root). */
const EXTENSION_MAY_IMPORT = new Set([
  "agents/engine/engineClient",
  "agents/engine/protocol",
  "agents/loop/loopConfig",
  "agents/runtime/runtimeConfig",
  "agents/report/runSummary",
  "agents/report/sessionProgress",
  "workspace-kb/errors",
  // The panel's side of the webview boundary: its message protocol, its page shell and the record mapping.
  "webview/protocol",
  "webview/panelHtml",
  "webview/fromRecords",
]);

describe("the layers of the code", () => {
  it("the engine and the knowledge base never import vscode", () => {
    const offenders = [...tsFiles(join(ROOT, "agents")), ...tsFiles(join(ROOT, "workspace-kb"))].filter((f) => imports(f).includes("vscode"));
    assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
  });

  it("the extension imports only the engine's client, protocol and configuration schema", () => {
    const offenders: string[] = [];
    for (const file of tsFiles(join(ROOT, "extension"))) {
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) continue;
        const target = relative(ROOT, join(file, "..", spec)).replace(/\.ts$/, "");
        if (target.startsWith("extension/")) continue;
        if (!EXTENSION_MAY_IMPORT.has(target)) offenders.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it("the extension bundle contains no node-llama-cpp, QuickJS, sandbox or culture loop", async function () {
    this.timeout(60_000);
    const result = await build({
      entryPoints: [join(ROOT, "extension", "extension.ts")],
      bundle: true,
      write: false,
      metafile: true,
      format: "cjs",
      platform: "node",
      external: ["vscode", "node-llama-cpp", "quickjs-emscripten", "@jitl/*"],
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    const forbidden = inputs.filter((path) =>
      /node-llama-cpp|quickjs|@jitl|agents\/(sandbox|problems|gguf)\//.test(path) ||
      // The configuration schema and its error wording come along; nothing else of the loop.
      (/agents\/loop\//.test(path) && !/agents\/loop\/(loopConfig|configProblems|nearestName)\.ts$/.test(path)) ||
      (/agents\/runtime\//.test(path) && !path.endsWith("agents/runtime/runtimeConfig.ts")),
    );
    assert.deepEqual(forbidden, []);
    const code = result.outputFiles[0]!.text;
    assert.doesNotMatch(code, /require\(["'](node-llama-cpp|quickjs-emscripten)["']\)/);
    assert.ok(inputs.some((p) => p.endsWith("agents/engine/engineClient.ts")), "the bundle does include the engine client");
  });
});
