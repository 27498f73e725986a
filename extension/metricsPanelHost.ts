// The metrics panel's host: a webview built from dist/webview (webview/panel.ts), fed by the engine's
// notifications and reads. Messages follow webview/protocol.ts; what comes from the page is checked at the door
// (parsePanelRequest). The snapshot leaves the per-agent rows out; the page asks for them (agentRows) when it shows
// them. Live updates are batched to a few a second; a snapshot is sent when the page is ready, when
// it becomes visible again and when live updates resume, so a hidden panel misses nothing. A serializer revives
// the panel after a window reload.
import { writeFile } from "node:fs/promises";
import * as vscode from "vscode";
import { kbEntry, kbNewest, runsGet, runsList } from "../agents/engine/protocol";
import type { EntryInfo, RunDetail, SessionStatus, WorkspaceRef } from "../agents/engine/protocol";
import type { GenerationSummary } from "../agents/report/runSummary";
import { newNonce, panelHtml } from "../webview/panelHtml";
import { liveGenerations, toPanelSession, toRunData, toRunListing } from "../webview/fromRecords";
import { parsePanelRequest, PanelMessageError, SNAPSHOT_ENTRIES, SNAPSHOT_ENTRY_CHARS } from "../webview/protocol";
import type { FromPanel, PanelEntry, RunData, SessionState, ToPanel } from "../webview/protocol";
import type { CommandContext } from "./commands";
import { endedSession } from "./endedSession";
import { describeError } from "./errorText";

export const METRICS_VIEW_TYPE = "cultureLab.metrics";
/** Live messages are sent at most this often (the last of each kind wins; generations are all sent, in order). */
const FLUSH_MS = 300;

export class MetricsPanelHost implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private panel: vscode.WebviewPanel | undefined;
  private live = true;
  private readonly subscriptions: vscode.Disposable[] = [];
  private pendingGenerations: GenerationSummary[] = [];
  private pendingSession: SessionStatus | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private knownEntries = new Set<string>();
  private lastEventAt: number | undefined;
  /** How the last session ended, shown while no session runs (cleared when the next one starts). */
  private ended: SessionState | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly c: CommandContext,
  ) {
    this.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(METRICS_VIEW_TYPE, this),
      c.sessions.onStatus((status) => {
        this.lastEventAt = Date.now();
        if (status.state !== "idle") this.ended = undefined;
        this.pendingSession = status;
        this.schedule();
      }),
      c.sessions.onEnded((outcome) => {
        this.ended = endedSession(outcome);
        this.pendingSession = c.sessions.current ?? { state: "idle", generationsDone: 0, calls: 0, completionTokens: 0, collapseAlarm: false };
        this.schedule();
      }),
      c.sessions.onGeneration((summary) => {
        this.lastEventAt = Date.now();
        this.pendingGenerations.push(summary);
        this.schedule();
      }),
    );
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(METRICS_VIEW_TYPE, "Culture Lab", { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    this.attach(panel);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = this.options();
    this.attach(panel);
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [this.webviewRoot()] };
  }

  private webviewRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.context.extensionUri, "dist", "webview");
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    const root = this.webviewRoot();
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, "extension", "media", "culture-lab.svg");
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, "panel.js")).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, "panel.css")).toString(),
      nonce: newNonce(),
    });
    const subs = [
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.live) void this.sendSnapshot();
      }),
    ];
    panel.onDidDispose(() => {
      for (const s of subs) s.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private async receive(raw: unknown): Promise<void> {
    let message: FromPanel;
    try {
      message = parsePanelRequest(raw);
    } catch (error) {
      // The page is ours, so a bad message is a bug or an attack: logged, never acted on.
      this.c.log.warn(`Ignored a message from the metrics panel: ${error instanceof PanelMessageError ? error.message : String(error)}`);
      return;
    }
    try {
      switch (message.type) {
        case "ready":
          await this.sendSnapshot();
          break;
        case "openEntry": {
          const entry = await this.c.engine.request(kbEntry, { ...this.workspace(), id: message.id });
          await vscode.commands.executeCommand("cultureLab.openEntry", entry);
          break;
        }
        case "pickRun":
        case "compareRuns": {
          if (message.type === "compareRuns" && message.runId === undefined) break;
          const detail = await this.c.engine.request(runsGet, { ...this.workspace(), runId: message.runId! });
          this.post({ type: "runData", run: runData(detail), role: message.type === "pickRun" ? "main" : "compare" });
          break;
        }
        case "export": {
          const target = await vscode.window.showSaveDialog({
            title: "Export the panel's series",
            defaultUri: vscode.Uri.joinPath(vscode.Uri.file(this.workspace().workspaceDir), message.fileName),
            filters: message.format === "csv" ? { CSV: ["csv"] } : { JSON: ["json"] },
          });
          if (!target) break;
          if (!vscode.workspace.isTrusted) throw new Error("Exporting writes a file, which Restricted Mode does not allow: trust the folder first.");
          await writeFile(target.fsPath, message.content);
          void vscode.window.showInformationMessage(`Culture Lab: series exported to ${target.fsPath}.`);
          break;
        }
        case "agentRows": {
          const detail = await this.c.engine.request(runsGet, { ...this.workspace(), runId: message.runId });
          this.post({ type: "agentRows", runId: message.runId, agents: detail.agents });
          break;
        }
        case "liveUpdates":
          this.live = !message.paused;
          if (this.live) await this.sendSnapshot();
          break;
      }
    } catch (error) {
      const text = describeError(error);
      this.c.log.error(`Metrics panel (${message.type}): ${text}`);
      void vscode.window.showErrorMessage(`Culture Lab: ${text}`);
    }
  }

  private workspace(): WorkspaceRef {
    const ref = this.c.workspace();
    if (!ref) throw new Error("Open a folder to use Culture Lab.");
    return ref;
  }

  private post(message: ToPanel): void {
    void this.panel?.webview.postMessage(message);
  }

  private schedule(): void {
    if (this.flushTimer || !this.panel) return;
    this.flushTimer = setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Sends what happened since the last flush: the session's state, every committed generation, new entries. */
  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const panel = this.panel;
    const generations = this.pendingGenerations;
    const session = this.pendingSession;
    this.pendingGenerations = [];
    this.pendingSession = undefined;
    if (!panel || !panel.visible || !this.live) return; // a snapshot catches up when it is shown or resumed
    const at = Date.now();
    if (session) this.post({ type: "session", session: this.panelSession(session), at });
    if (generations.length === 0) return;
    const runId = this.c.sessions.current?.runId;
    const dir = this.c.workspace();
    if (!runId || !dir) return;
    // Per-agent rows come from the run's records; one read covers every generation of this batch.
    const detail = await this.c.engine.request(runsGet, { ...dir, runId }).catch(() => undefined);
    for (const message of liveGenerations(runId, generations, detail?.agents ?? [], at)) this.post(message);
    const newest = await this.c.engine.request(kbNewest, { ...dir, limit: 100, maxChars: SNAPSHOT_ENTRY_CHARS }).catch(() => []);
    const fresh = newest.filter((e) => !this.knownEntries.has(e.id)).reverse();
    for (const e of fresh) this.knownEntries.add(e.id);
    if (fresh.length > 0) this.post({ type: "entries", entries: fresh.map(panelEntry), at });
  }

  /** The engine's session state for the panel; with no session running, how the last one ended (if one did). */
  private panelSession(status: SessionStatus | undefined): SessionState {
    if (status && status.state !== "idle") return toPanelSession(status);
    return this.ended ?? (status ? toPanelSession(status) : { phase: "idle" });
  }

  private async sendSnapshot(): Promise<void> {
    const dir = this.c.workspace();
    const status = this.c.sessions.current;
    const session = this.panelSession(status);
    if (!dir) {
      this.post({ type: "snapshot", runs: [], entries: [], session });
      return;
    }
    const runs = await this.c.engine.request(runsList, dir);
    const shown = status?.runId && status.state !== "idle" ? status.runId : runs[0]?.runId;
    const detail = shown ? await this.c.engine.request(runsGet, { ...dir, runId: shown }).catch(() => undefined) : undefined;
    const entries = runs.length > 0 ? await this.c.engine.request(kbNewest, { ...dir, limit: SNAPSHOT_ENTRIES, maxChars: SNAPSHOT_ENTRY_CHARS }).catch(() => []) : [];
    this.knownEntries = new Set(entries.map((e) => e.id));
    this.post({
      type: "snapshot",
      runs: runs.map(toRunListing),
      // Without the per-agent rows (most of a long run's figures): the panel asks for them when it shows them.
      ...(detail ? { run: withoutAgentRows(runData(detail)) } : {}),
      entries: entries.reverse().map(panelEntry),
      session,
      ...(this.lastEventAt ? { lastEventAt: this.lastEventAt } : {}),
    });
  }
}

function runData(detail: RunDetail) {
  return toRunData(detail, detail.agents, detail.caveats);
}

function withoutAgentRows({ agents: _agents, ...run }: RunData): RunData {
  return run;
}

/** What the panel reads of an entry: all but where it is in the notes files. */
function panelEntry({ location: _location, truncated, ...entry }: EntryInfo): PanelEntry {
  return { ...entry, ...(truncated > 0 ? { truncated } : {}) };
}


