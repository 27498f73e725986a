// Culture Lab in VS Code: thin glue between the editor and the engine process. Commands, the tree view, the
// status bar and the log live here; everything that reads or writes the knowledge base, loads a model or runs
// generated code happens in the engine, reached only through agents/engine/protocol.ts.
import * as vscode from "vscode";
import type { WorkspaceRef } from "../agents/engine/protocol";
import { EngineHost } from "./engineHost";
import { registerCommands } from "./commands";
import { CultureTree } from "./cultureTree";
import { SessionController } from "./sessionController";
import { statusView } from "./statusText";

let shutdown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const log = vscode.window.createOutputChannel("Culture Lab", { log: true });
  const engine = new EngineHost(log);
  const sessions = new SessionController(engine, log);
  const workspace = (): WorkspaceRef | undefined => {
    const workspaceDir = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!workspaceDir) return undefined;
    const folder = vscode.workspace.getConfiguration("cultureLab").get<string | null>("knowledgeBaseFolder");
    return folder ? { workspaceDir, folder } : { workspaceDir };
  };
  const tree = new CultureTree(engine, workspace);
  const view = vscode.window.createTreeView("cultureLab.tree", { treeDataProvider: tree, showCollapseAll: true });

  const status = vscode.window.createStatusBarItem("status", vscode.StatusBarAlignment.Left, 50);
  status.name = "Culture Lab";
  status.command = "cultureLab.showPanel";
  const showStatus = () => {
    const v = statusView(sessions.current);
    status.text = v.text;
    status.tooltip = v.tooltip;
    status.backgroundColor = v.warning ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    status.show();
  };
  showStatus();

  sessions.onStatus((s) => {
    showStatus();
    tree.setStatus(s);
    void vscode.commands.executeCommand("setContext", "cultureLab.sessionRunning", s.state !== "idle");
  });
  sessions.onGeneration(() => tree.refreshSoon());
  sessions.onEnded(() => {
    showStatus();
    tree.refresh();
  });

  const panel = registerCommands(context, { engine, sessions, tree, log, workspace });
  context.subscriptions.push(
    log, view, tree, status, sessions, panel,
    vscode.workspace.onDidGrantWorkspaceTrust(() => tree.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration("cultureLab.knowledgeBaseFolder") && tree.refresh()),
    vscode.workspace.onDidChangeWorkspaceFolders(async () => {
      // The session belongs to the folder it was started on.
      await sessions.stop();
      await engine.stop();
      tree.refresh();
    }),
  );
  shutdown = async () => {
    await sessions.stop().catch(() => undefined);
    await engine.dispose();
  };
  const cpu = process.cpuUsage(cpuAtStart);
  log.info(`Culture Lab activated in ${(performance.now() - started).toFixed(1)} ms (activate() wall time; ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms of CPU).`);
}

export async function deactivate(): Promise<void> {
  await shutdown?.();
}
