// `npm run editor`: the same code-server the end-to-end test uses, with the freshly packaged extension installed
// and a demo workspace open, for a person to try Culture Lab in a browser on this machine. Ctrl-C stops it.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startCodeServer } from "./codeServer";
import { editorCacheDir, ensureEditor } from "./editorInstall";

const root = resolve(import.meta.dirname, "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };
const workspace = join(root, "demo-workspace");
mkdirSync(workspace, { recursive: true });
const editor = ensureEditor((line) => console.log(line));
const server = await startCodeServer({
  editor,
  root: join(editorCacheDir(), "demo"),
  vsix: join(root, `${manifest.name}-linux-x64-${manifest.version}.vsix`),
  settings: { "workbench.startupEditor": "none", "workbench.secondarySideBar.defaultVisibility": "hidden", "telemetry.telemetryLevel": "off" },
});
writeFileSync(join(editorCacheDir(), "demo", "url"), server.url);
console.log(`\nCulture Lab in VS Code (code-server) is at\n\n  ${server.url}?folder=${encodeURIComponent(workspace)}\n\nOpen it in a browser on this machine; press Ctrl-C here to stop it.`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
