// One isolated code-server for a test or a demo: its own HOME, XDG_CONFIG_HOME, user-data, extensions and
// config, bound to a free port on 127.0.0.1, with the packaged extension installed from its VSIX.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Editor } from "./editorInstall";

export interface CodeServer {
  url: string;
  process: ChildProcess;
  userDataDir: string;
  /** The editor's (and so the engine's) home folder; its caches are under `.cache`. */
  home: string;
  /** Everything code-server printed, for a failing test's message. */
  output: string[];
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  editor: Editor;
  /** A scratch folder for this instance's home, settings and extensions. */
  root: string;
  vsix: string;
  /** User settings (the test sets the theme, threads, and quiets the welcome page). */
  settings: Record<string, unknown>;
  trustAll?: boolean;
  /** Added to code-server's environment, so to the extension host's and the engine's. */
  env?: Record<string, string>;
}

export function installExtension(options: CodeServerOptions, env: NodeJS.ProcessEnv): void {
  execFileSync(options.editor.node, [options.editor.codeServerEntry, "--extensions-dir", join(options.root, "extensions"), "--install-extension", options.vsix], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
  });
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { root, editor } = options;
  const home = join(root, "home");
  const userDataDir = join(root, "user-data");
  for (const dir of [home, join(userDataDir, "User"), join(root, "extensions")]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(userDataDir, "User", "settings.json"), JSON.stringify(options.settings, null, 2));
  writeFileSync(join(root, "config.yaml"), "auth: none\ncert: false\n");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    HOME: home,
    // Caches too (models fetched, built programs): a test never writes into, nor reads from, the user's.
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    PATH: `${editor.nodeBin}:${process.env.PATH ?? ""}`,
  };
  installExtension(options, env);
  const args = [
    editor.codeServerEntry,
    "--auth", "none",
    "--bind-addr", "127.0.0.1:0",
    "--disable-telemetry",
    "--disable-update-check",
    "--config", join(root, "config.yaml"),
    "--user-data-dir", userDataDir,
    "--extensions-dir", join(root, "extensions"),
    ...(options.trustAll === false ? [] : ["--disable-workspace-trust"]),
  ];
  const child = spawn(editor.node, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${output.join("\n")}`)), 60_000);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        output.push(line);
        const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(`${m[1]}/`);
        }
      });
    }
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with code ${code}:\n${output.join("\n")}`));
    });
  });
  return {
    url,
    process: child,
    userDataDir,
    home,
    output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      // The whole process group: code-server, its extension host, and anything they started.
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
