// The extension's engine process: started on the first command that needs it, stopped when a session ends and
// nothing else is asked of it for a moment, when the workspace closes or the extension deactivates. Its death
// while busy is an error notification with "Restart Engine" and "Open Log"; the knowledge base is on disk.
import * as vscode from "vscode";
import { EngineClient } from "../agents/engine/engineClient";
import type { EngineErrorData } from "../agents/engine/protocol";
import type { NotificationType, RequestType } from "vscode-jsonrpc/node";
import { engineLacks } from "./serverKeys";

/** An idle engine (no session, no request) is stopped after this long, so none is left behind. */
const IDLE_STOP_MS = 5000;

type Registration = (client: EngineClient) => void;

export class EngineHost implements vscode.Disposable {
  private client: Promise<EngineClient> | undefined;
  private readonly registrations: Registration[] = [];
  private inFlight = 0;
  private holds = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Added to the engine's environment when it starts: server API keys from VS Code's secret storage. Never logged. */
  private extraEnv: Record<string, string> = {};
  /** The running engine still has a key the user cleared (a session held it then). */
  private keepsClearedKey = false;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The engine's pid while it runs (for the log and the end-to-end test). */
  pid: number | undefined;

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    this.registrations.push((client) => client.onNotification(type, handler));
  }

  /** Sends a request, starting the engine if needed. */
  async request<P, R>(type: RequestType<P, R, EngineErrorData>, params: P, signal?: AbortSignal): Promise<R> {
    this.inFlight++;
    this.cancelIdleStop();
    try {
      const client = await this.ensure();
      return await client.request(type, params, signal);
    } finally {
      this.inFlight--;
      this.scheduleIdleStop();
    }
  }

  /** Keeps the engine up while a session runs (released by the returned function). */
  hold(): () => void {
    this.holds++;
    this.cancelIdleStop();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.scheduleIdleStop();
    };
  }

  /**
   * Makes sure the engine's environment has these variables (server API keys a session needs): an engine started
   * without them, or with other values, is stopped, and the next request starts one that has them. The keys
   * reach the engine process's environment only — not the protocol, the log or the workspace.
   */
  async provideEnv(env: Record<string, string>): Promise<void> {
    if (!engineLacks(this.extraEnv, env) && !this.keepsClearedKey) return;
    this.extraEnv = { ...env };
    this.keepsClearedKey = false;
    if (this.client) {
      const names = Object.keys(env);
      this.log.info(names.length > 0 ? `Restarting the engine to give it ${names.join(", ")} from VS Code's secret storage.` : "Restarting the engine without the server API key that was cleared.");
      await this.stop();
    }
  }

  /** A key the user cleared leaves the engine: it is stopped (when no session holds it) so no process keeps it. */
  async forgetEnv(name: string): Promise<void> {
    if (!(name in this.extraEnv)) return;
    const { [name]: _cleared, ...rest } = this.extraEnv;
    this.extraEnv = rest;
    if (!this.client) return;
    if (this.holds === 0) await this.stop();
    else this.keepsClearedKey = true; // the running session keeps it; the next one starts a fresh engine
  }

  get running(): boolean {
    return this.client !== undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.ensure();
    this.scheduleIdleStop();
  }

  async stop(): Promise<void> {
    this.cancelIdleStop();
    const client = this.client;
    this.client = undefined;
    this.pid = undefined;
    this.keepsClearedKey = false;
    if (!client) return;
    const started = await client.catch(() => undefined);
    if (started) {
      this.log.info(`Stopping the engine (pid ${started.pid ?? "?"}).`);
      await started.dispose();
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
  }

  private ensure(): Promise<EngineClient> {
    if (this.disposed) return Promise.reject(new Error("Culture Lab is shutting down."));
    if (!this.client) {
      this.log.info("Starting the engine…");
      const starting = EngineClient.start({ env: this.extraEnv, onLog: (line) => this.log.info(`[engine] ${line}`) });
      this.client = starting;
      starting.then(
        (client) => {
          this.pid = client.pid;
          this.log.info(`Engine started (pid ${client.pid}).`);
          for (const register of this.registrations) register(client);
          client.onExit((exit) => {
            if (this.client === starting) {
              this.client = undefined;
              this.pid = undefined;
            }
            if (!exit.expected) void this.reportDeath(exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`);
          });
        },
        (error: unknown) => {
          if (this.client === starting) this.client = undefined;
          this.log.error(`The engine did not start: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    }
    return this.client;
  }

  private async reportDeath(how: string): Promise<void> {
    const message = `Culture Lab: the engine process ${how}. The knowledge base is on disk and intact; a running session stopped at its last finished generation.`;
    this.log.error(message);
    const action = await vscode.window.showErrorMessage(message, "Restart Engine", "Open Log");
    if (action === "Restart Engine") await this.restart();
    if (action === "Open Log") this.log.show();
  }

  private cancelIdleStop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private scheduleIdleStop(): void {
    this.cancelIdleStop();
    if (this.inFlight > 0 || this.holds > 0 || !this.client) return;
    this.idleTimer = setTimeout(() => void this.stop(), IDLE_STOP_MS);
  }
}
