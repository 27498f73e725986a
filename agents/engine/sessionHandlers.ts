// The engine's culture-loop sessions: `session/run` opens the configured model (with the offline fallback),
// runs the loop on the workspace's knowledge base and streams each generation's figures to the client; the
// session host answers status requests and takes cancel, pause and resume while it runs.
import type { MessageConnection } from "vscode-jsonrpc/node";
import { CultureLabError } from "../../workspace-kb/errors";
import { parseLoopConfig } from "../loop/loopConfig";
import { describePlan } from "../loop/callPlan";
import type { OnNotice } from "../loop/notice";
import type { LoopConfig } from "../loop/loopConfig";
import { openSessionRuntime, runModelSession, type ModelSessionOptions } from "../loop/modelSession";
import type { Runtime } from "../runtime/runtime";
import type { EngineHandlers } from "./engineHandlers";
import {
  runtimeDownloadProgress, sessionCancel, sessionGeneration, sessionNotice, sessionPause, sessionResume, sessionRun, sessionStatus,
  sessionStatusChanged,
} from "./protocol";
import { SessionHost } from "./sessionHost";

/** Opens a session's model for a client: relative paths against its workspace, downloads and notices sent to it. */
export function openForClient(config: LoopConfig, caveats: string[], params: { workspaceDir: string; modelNamed: boolean }, signal: AbortSignal, connection: MessageConnection): Promise<Runtime> {
  return openSessionRuntime(config, caveats, {
    modelNamed: params.modelNamed,
    cwd: params.workspaceDir,
    signal,
    onDownloadProgress: (progress) => void connection.sendNotification(runtimeDownloadProgress, progress),
    onNotice: notify(connection),
  });
}

/** What a session run in the engine reports through its host: calls counted, status, progress, generations, notices. */
export function hostedSession(host: SessionHost, connection: MessageConnection): Pick<ModelSessionOptions, "wrapAgents" | "onStarted" | "onProgress" | "onGeneration" | "onNotice"> {
  return {
    wrapAgents: (factory) => host.wrap(factory),
    onStarted: (run) => host.started(run),
    onProgress: (progress) => host.progressed(progress),
    onGeneration: (summary) => {
      host.generationDone(summary.generation, summary.collapseAlarm);
      void connection.sendNotification(sessionGeneration, summary);
    },
    onNotice: notify(connection),
  };
}

/** Notices to the client, warnings unless said otherwise. */
export function notify(connection: MessageConnection): OnNotice {
  return (message, level = "warning") => void connection.sendNotification(sessionNotice, { message, level });
}

export function registerSessionHandlers(connection: MessageConnection, handle: EngineHandlers): SessionHost {
  const host = new SessionHost((status) => void connection.sendNotification(sessionStatusChanged, status));

  handle(sessionRun, async (params, clientSignal) => {
    if (host.busy) {
      throw new CultureLabError("session-running", `A session is already running in this engine (on ${host.current.workspaceDir}).`, "Stop it first, or wait for it to finish.");
    }
    const config = parseLoopConfig(params.config, params.configSource);
    const { signal, end } = host.begin(params.workspaceDir, clientSignal);
    try {
      const caveats: string[] = [];
      const runtime = await openForClient(config, caveats, params, signal, connection);
      // After opening: the offline fallback may have shortened the run, and the plan says what will happen.
      notify(connection)(describePlan(config), "info");
      try {
        const result = await runModelSession({ workspaceDir: params.workspaceDir, config, runtime, caveats, signal, ...hostedSession(host, connection) });
        return { runId: result.runId, reportPath: result.reportPath, summary: result.summary };
      } finally {
        await runtime.dispose();
      }
    } catch (error) {
      // Stopped by session/cancel (not by the client cancelling this request): say so plainly.
      if (signal.aborted && !clientSignal.aborted) {
        throw new CultureLabError("cancelled", "The session was stopped. Every finished generation is saved in the knowledge base; the one in progress was dropped.");
      }
      throw error;
    } finally {
      end();
    }
  });
  handle(sessionStatus, async () => host.current);
  handle(sessionCancel, async () => ({ wasRunning: await host.cancel() }));
  handle(sessionPause, async () => {
    host.pause();
    return host.current;
  });
  handle(sessionResume, async () => {
    host.resume();
    return host.current;
  });
  return host;
}
