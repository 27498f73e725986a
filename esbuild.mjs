// Bundles the extension (CommonJS, for VS Code's extension host), the CLI and engine (ESM, for plain Node)
// and the metrics panel (a browser IIFE). node-llama-cpp stays external: it is ESM-only and ships native code.
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { lazyIntlPlugin } from "./webview/build/lazyIntlPlugin.mjs";

const external = ["vscode", "node-llama-cpp", "quickjs-emscripten", "@jitl/*"];
const targets = [
  { entry: "agents/cli/bin.ts", outfile: "dist/cli.mjs", format: "esm", platform: "node", banner: "#!/usr/bin/env node" },
  { entry: "agents/engine/engineMain.ts", outfile: "dist/engine.mjs", format: "esm", platform: "node" },
  // The sandbox runs QuickJS in a worker thread that it finds beside its own bundle.
  { entry: "agents/sandbox/sandboxWorker.ts", outfile: "dist/sandbox-worker.mjs", format: "esm", platform: "node" },
  { entry: "extension/extension.ts", outfile: "dist/extension.cjs", format: "cjs", platform: "node" },
  { entry: "webview/panel.ts", outfile: "dist/webview/panel.js", format: "iife", platform: "browser", minify: true, plugins: [lazyIntlPlugin] },
  // dagre, apart: run by the panel in a Web Worker (or loaded as a page script when no worker can start).
  { entry: "webview/lineageLayoutScript.ts", outfile: "dist/webview/lineage-layout.js", format: "iife", platform: "browser", minify: true },
  { entry: "webview/panel.css", outfile: "dist/webview/panel.css", platform: "browser", minify: true },
];

for (const t of targets.filter((t) => existsSync(t.entry))) {
  await build({
    entryPoints: [t.entry],
    outfile: t.outfile,
    bundle: true,
    format: t.format,
    platform: t.platform,
    target: t.platform === "node" ? "node20" : "es2022",
    external: t.platform === "node" ? external : [],
    sourcemap: true,
    minify: t.minify ?? false,
    plugins: t.plugins ?? [],
    // ESM bundles that pull in CommonJS dependencies still need `require` for them.
    banner: {
      js: [t.banner, t.format === "esm" ? 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' : ""]
        .filter(Boolean)
        .join("\n"),
    },
    logLevel: "warning",
    // engineClient.ts reads import.meta.url only when __filename is missing, which a CommonJS bundle never is.
    logOverride: t.format === "cjs" ? { "empty-import-meta": "silent" } : {},
  });
}
