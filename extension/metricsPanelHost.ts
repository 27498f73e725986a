// The metrics panel's host (interim: replaced by the webview/ panel when it lands).
import * as vscode from "vscode";
import type { CommandContext } from "./commands";

export class MetricsPanelHost implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly c: CommandContext,
  ) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.panel = vscode.window.createWebviewPanel("cultureLab.metrics", "Culture Lab", vscode.ViewColumn.Beside, { enableScripts: false, localResourceRoots: [] });
    this.panel.webview.html = "<!doctype html><html><body><p>Culture Lab metrics</p></body></html>";
    this.panel.onDidDispose(() => (this.panel = undefined));
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
