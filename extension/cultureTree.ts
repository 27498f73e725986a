// The "Culture Lab" tree: the current session (state, generation, model, tokens/s) and its agents; past runs
// (date, model, generations, verdict) with report / replay / export; the knowledge base and its newest entries,
// each opening NOTES.md at its anchor. Everything is read from the engine, which reads the files on disk.
import * as vscode from "vscode";
import { kbNewest, kbStatus, runsList, sessionAgents } from "../agents/engine/protocol";
import type { AgentStatus, EntryInfo, RunInfo, SessionStatus, WorkspaceRef } from "../agents/engine/protocol";
import type { EngineHost } from "./engineHost";
import { describeError } from "./errorText";
import { formatRate, generationOfTotal } from "./statusText";

/** Newest entries shown under the knowledge base. */
const NEWEST = 25;

type Node =
  | { kind: "session" }
  | { kind: "agent"; agent: AgentStatus }
  | { kind: "runs" }
  | { kind: "run"; run: RunInfo }
  | { kind: "run-action"; run: RunInfo; action: "report" | "replay" | "export" }
  | { kind: "kb" }
  | { kind: "entry"; entry: EntryInfo }
  | { kind: "message"; text: string };

/** A running session changes many times a second; the runs and the knowledge base are read again at most this often. */
const REFRESH_EVERY_MS = 3000;

export class CultureTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private status: SessionStatus | undefined;
  /** Root nodes are kept so a change can name the one that changed. */
  private readonly sessionNode: Node = { kind: "session" };
  private readonly roots: Node[] = [this.sessionNode, { kind: "runs" }, { kind: "kb" }];
  private refreshTimer: NodeJS.Timeout | undefined;
  private lastRefresh = 0;

  constructor(
    private readonly engine: EngineHost,
    private readonly workspace: () => WorkspaceRef | undefined,
  ) {}

  /** Reads everything again now. */
  refresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.lastRefresh = Date.now();
    this.changed.fire(undefined);
  }

  /** Reads everything again soon, at most once every few seconds. */
  refreshSoon(): void {
    if (this.refreshTimer) return;
    const wait = Math.max(0, this.lastRefresh + REFRESH_EVERY_MS - Date.now());
    this.refreshTimer = setTimeout(() => this.refresh(), wait);
  }

  /** The session's own line changes with every status; its agents are read again with the rest. */
  setStatus(status: SessionStatus): void {
    const wasIdle = !this.status || this.status.state === "idle";
    this.status = status;
    if (wasIdle !== (status.state === "idle")) this.refresh();
    else this.changed.fire(this.sessionNode);
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.changed.dispose();
  }

  async getChildren(node?: Node): Promise<Node[]> {
    const dir = this.workspace();
    if (!dir) return [{ kind: "message", text: "Open a folder to use Culture Lab." }];
    try {
      if (!node) return this.roots;
      switch (node.kind) {
        case "session": {
          if (!this.status || this.status.state === "idle") return [];
          const agents = await this.engine.request(sessionAgents, dir);
          return agents.filter((a) => a.retiredGeneration === undefined).map((agent) => ({ kind: "agent", agent }));
        }
        case "runs": {
          const runs = await this.engine.request(runsList, dir);
          return runs.length === 0 ? [{ kind: "message", text: "No runs yet: Start Session…" }] : runs.map((run) => ({ kind: "run", run }));
        }
        case "run":
          return (["report", "replay", "export"] as const).map((action) => ({ kind: "run-action", run: node.run, action }));
        case "kb": {
          const entries = await this.engine.request(kbNewest, { ...dir, limit: NEWEST, maxChars: 300 });
          return entries.map((entry) => ({ kind: "entry", entry }));
        }
        default:
          return [];
      }
    } catch (error) {
      return [{ kind: "message", text: describeError(error) }];
    }
  }

  async getTreeItem(node: Node): Promise<vscode.TreeItem> {
    switch (node.kind) {
      case "session":
        return this.sessionItem();
      case "agent": {
        const a = node.agent;
        const roles = Object.entries(a.roles).map(([role, n]) => `${role} ${n}`).join(", ");
        const item = new vscode.TreeItem(a.id, vscode.TreeItemCollapsibleState.None);
        item.description = `${a.model ? `${a.model} · ` : ""}${a.solved}/${a.attempts} solved · ${a.notesWritten} notes · ${a.completionTokens} tokens`;
        item.tooltip = `${a.persona}\n${a.model ? `Model: ${a.model}.\n` : ""}Born in generation ${a.bornGeneration}. Calls this session: ${roles || "none yet"}.`;
        item.iconPath = new vscode.ThemeIcon("person");
        return item;
      }
      case "runs":
        return Object.assign(new vscode.TreeItem("Runs", vscode.TreeItemCollapsibleState.Expanded), { iconPath: new vscode.ThemeIcon("history"), contextValue: "runs" });
      case "run": {
        const r = node.run;
        const item = new vscode.TreeItem(r.runId, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${r.model} · ${r.generations}/${r.plannedGenerations} gen · ${r.verdict}`;
        item.tooltip = `Run ${r.runId}, started ${r.startedAt}\nModel ${r.model}\n${r.generations} of ${r.plannedGenerations} generations committed\n${r.verdict}`;
        item.iconPath = new vscode.ThemeIcon(r.collapseAlarm ? "warning" : "pulse");
        item.contextValue = "run";
        return item;
      }
      case "run-action": {
        const labels = { report: "Open report", replay: "Replay", export: "Export…" } as const;
        const commands = { report: "cultureLab.openReport", replay: "cultureLab.replayRun", export: "cultureLab.exportRun" } as const;
        const icons = { report: "preview", replay: "debug-rerun", export: "export" } as const;
        const item = new vscode.TreeItem(labels[node.action], vscode.TreeItemCollapsibleState.None);
        item.command = { command: commands[node.action], title: labels[node.action], arguments: [node.run.runId] };
        item.iconPath = new vscode.ThemeIcon(icons[node.action]);
        return item;
      }
      case "kb": {
        const item = new vscode.TreeItem("Knowledge base", vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon("library");
        const dir = this.workspace();
        if (dir) {
          try {
            const s = await this.engine.request(kbStatus, dir);
            item.description = s.exists ? `${s.entries} entries · ${s.byKind.chapter ?? 0} chapters · ${s.archived} archived` : "empty";
            item.tooltip = s.writer ? `Being written by process ${s.writer.pid} on ${s.writer.host} since ${s.writer.startedAt}${s.writer.alive === false ? " (that process is gone: the lock is stale and will be recovered)" : ""}` : s.folder;
          } catch (error) {
            item.description = describeError(error);
          }
        }
        return item;
      }
      case "entry": {
        const e = node.entry;
        const item = new vscode.TreeItem(e.title || "(untitled)", vscode.TreeItemCollapsibleState.None);
        item.description = `${e.kind === "human" ? "human note" : e.kind} · ${e.author} · gen ${e.generation}${e.archived ? " · archived" : ""}`;
        item.tooltip = new vscode.MarkdownString().appendText(`${e.title}\n\n${e.text}${e.truncated > 0 ? ` … (${e.truncated} more characters)` : ""}`);
        item.iconPath = new vscode.ThemeIcon(e.kind === "chapter" ? "book" : e.kind === "human" ? "account" : e.kind === "problem" ? "symbol-function" : "note");
        item.command = { command: "cultureLab.openEntry", title: "Open in notes", arguments: [e] };
        return item;
      }
      case "message":
        return new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
    }
  }

  private sessionItem(): vscode.TreeItem {
    const s = this.status;
    if (!s || s.state === "idle") {
      const item = new vscode.TreeItem("No session running", vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon("circle-outline");
      item.command = { command: "cultureLab.startSession", title: "Start Session…" };
      item.contextValue = "session-idle";
      return item;
    }
    // Collapsed: its agents are read from the knowledge base only when a person opens it.
    const item = new vscode.TreeItem(`Session ${s.state}`, vscode.TreeItemCollapsibleState.Collapsed);
    const total = s.generations ?? 0;
    const parts = [generationOfTotal(s, total), s.model ?? "loading model"];
    if (s.tokensPerSecond !== undefined) parts.push(`${formatRate(s.tokensPerSecond)} tok/s`);
    item.description = parts.join(" · ");
    item.tooltip = `Run ${s.runId ?? "(starting)"}: ${s.generationsDone} generations done, ${s.calls} calls, ${s.completionTokens} tokens.${s.lastEventAt ? ` Last event ${s.lastEventAt}.` : ""}`;
    item.iconPath = new vscode.ThemeIcon(s.collapseAlarm ? "warning" : s.state === "paused" ? "debug-pause" : "sync~spin");
    item.contextValue = "session-running";
    return item;
  }
}
