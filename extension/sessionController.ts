// Starting and stopping culture-loop sessions from the editor: builds the session's configuration (settings,
// then a preset or session file), runs it in the engine, shows its progress in a notification, and tells the
// status bar, the tree view and the panel about every change.
import * as vscode from "vscode";
import {
  runtimeDownloadProgress, sessionCancel, sessionGeneration, sessionNotice, sessionPause, sessionResume, sessionRun, sessionStatusChanged,
} from "../agents/engine/protocol";
import type { SessionRunResult, SessionStatus } from "../agents/engine/protocol";
import { describeProgress } from "../agents/report/sessionProgress";
import type { GenerationSummary } from "../agents/report/runSummary";
import { CultureLabError } from "../workspace-kb/errors";
import type { EngineHost } from "./engineHost";
import { describeError } from "./errorText";
import { NoticeBatch } from "./noticeBatch";

export interface SessionEvents {
  status: (status: SessionStatus) => void;
  generation: (summary: GenerationSummary) => void;
  ended: (outcome: { result?: SessionRunResult; error?: unknown }) => void;
}

export class SessionController implements vscode.Disposable {
  private status: SessionStatus | undefined;
  private running: Promise<void> | undefined;
  private readonly statusEmitter = new vscode.EventEmitter<SessionStatus>();
  private readonly generationEmitter = new vscode.EventEmitter<GenerationSummary>();
  private readonly endedEmitter = new vscode.EventEmitter<{ result?: SessionRunResult; error?: unknown }>();
  readonly onStatus = this.statusEmitter.event;
  readonly onGeneration = this.generationEmitter.event;
  readonly onEnded = this.endedEmitter.event;

  constructor(
    private readonly engine: EngineHost,
    private readonly log: vscode.LogOutputChannel,
  ) {
    engine.onNotification(sessionStatusChanged, (status) => {
      this.status = status;
      this.statusEmitter.fire(status);
    });
    engine.onNotification(sessionGeneration, (summary) => {
      this.log.info(`Generation ${summary.generation}: ${summary.validProposals}/${summary.proposals} valid proposals, ${summary.solved}/${summary.attempts} solved, ${summary.notesWritten} notes${summary.collapseAlarm ? ", COLLAPSE ALARM" : ""}.`);
      this.generationEmitter.fire(summary);
    });
    engine.onNotification(runtimeDownloadProgress, (p) => this.onDownload?.(p));
    const warnings = new NoticeBatch((text) => void vscode.window.showWarningMessage(`Culture Lab: ${text}`, "Open Log").then((a) => a && this.log.show()));
    engine.onNotification(sessionNotice, ({ message, level }) => {
      // What the run is (its plan, threads, llama.cpp build) is for the log; only warnings interrupt.
      if (level === "info") return this.log.info(message);
      this.log.warn(message);
      warnings.add(message);
    });
  }

  /** Who shows model-download progress now: a starting session, or the Download Recommended Model command. */
  onDownload: ((p: { uri: string; downloadedBytes: number; totalBytes: number }) => void) | undefined;

  get current(): SessionStatus | undefined {
    return this.status;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Starts the session and returns once it has started (its end is reported through `onEnded`). */
  start(params: { workspaceDir: string; config: object; configSource: string; modelNamed: boolean; label: string }): void {
    if (this.running) throw new CultureLabError("session-running", "A session is already running.", "Stop it first (Culture Lab: Stop Session).");
    this.log.info(`Starting session "${params.label}" on ${params.workspaceDir} with ${JSON.stringify(params.config)}`);
    const release = this.engine.hold();
    this.running = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Culture Lab: ${params.label}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => void this.stop());
        let done = 0;
        const onGeneration = this.onGeneration((g) => {
          done++;
          const total = this.status?.generations ?? 0;
          progress.report({ message: `generation ${g.generation} done (${done}/${total})`, increment: total > 0 ? 100 / total : undefined });
        });
        // Inside a generation: the phase, its calls and the time left (the same line the CLI prints).
        const onPhase = this.onStatus((status) => {
          if (status.progress && status.state !== "idle") progress.report({ message: describeProgress(status.progress, status.tokensPerSecond) });
        });
        this.onDownload = (p) =>
          progress.report({ message: `downloading ${p.uri}: ${p.totalBytes > 0 ? Math.floor((100 * p.downloadedBytes) / p.totalBytes) : 0}%` });
        try {
          const result = await this.engine.request(sessionRun, {
            workspaceDir: params.workspaceDir,
            config: params.config,
            configSource: params.configSource,
            modelNamed: params.modelNamed,
          });
          this.log.info(`Run ${result.runId} finished; report: ${result.reportPath}`);
          this.endedEmitter.fire({ result });
          void vscode.window.showInformationMessage(`Culture Lab: run ${result.runId} finished.`, "Open Report").then((action) => {
            if (action === "Open Report") void vscode.commands.executeCommand("cultureLab.openReport", result.runId);
          });
        } catch (error) {
          this.endedEmitter.fire({ error });
          if (error instanceof CultureLabError && error.code === "cancelled") {
            this.log.info(error.message);
            void vscode.window.showInformationMessage(`Culture Lab: ${error.message}`);
          } else if (!(error instanceof CultureLabError && error.code === "engine-died")) {
            // The engine host reports a death itself, with Restart Engine.
            const text = describeError(error);
            this.log.error(text);
            void vscode.window.showErrorMessage(`Culture Lab: ${text}`, "Open Log").then((a) => a && this.log.show());
          }
        } finally {
          onGeneration.dispose();
          onPhase.dispose();
          this.onDownload = undefined;
        }
      },
    )).then(() => {
      this.running = undefined;
      release();
      // A dead engine sends no last status: the session is over either way.
      if (this.status && this.status.state !== "idle") {
        this.status = { ...this.status, state: "idle" };
        this.statusEmitter.fire(this.status);
      }
    });
  }

  /** Stops after the current model calls; resolves once the session has ended. */
  async stop(): Promise<boolean> {
    if (!this.running) return false;
    const running = this.running;
    await this.engine.request(sessionCancel, {});
    await running;
    return true;
  }

  async pause(): Promise<void> {
    if (this.running) this.status = await this.engine.request(sessionPause, {});
  }

  async resume(): Promise<void> {
    if (this.running) this.status = await this.engine.request(sessionResume, {});
  }

  dispose(): void {
    this.statusEmitter.dispose();
    this.generationEmitter.dispose();
    this.endedEmitter.dispose();
  }
}
