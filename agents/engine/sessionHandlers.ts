// The engine's culture-loop sessions: `session/run` opens the configured model (with the offline fallback),
// runs the loop on the workspace's knowledge base and streams each generation's figures to the client.
import type { MessageConnection } from "vscode-jsonrpc/node";
import { parseLoopConfig } from "../loop/loopConfig";
import { openSessionRuntime, runModelSession } from "../loop/modelSession";
import type { EngineHandlers } from "./engineHandlers";
import { runtimeDownloadProgress, sessionGeneration, sessionNotice, sessionRun } from "./protocol";

export function registerSessionHandlers(connection: MessageConnection, handle: EngineHandlers): void {
  handle(sessionRun, async (params, signal) => {
    const config = parseLoopConfig(params.config, params.configSource);
    const caveats: string[] = [];
    const runtime = await openSessionRuntime(config, caveats, {
      modelNamed: params.modelNamed,
      signal,
      onDownloadProgress: (progress) => void connection.sendNotification(runtimeDownloadProgress, progress),
      onNotice: (message) => void connection.sendNotification(sessionNotice, { message }),
    });
    try {
      const result = await runModelSession({
        workspaceDir: params.workspaceDir,
        config,
        runtime,
        caveats,
        signal,
        onGeneration: (summary) => void connection.sendNotification(sessionGeneration, summary),
        onNotice: (message) => void connection.sendNotification(sessionNotice, { message }),
      });
      return { runId: result.runId, reportPath: result.reportPath, summary: result.summary };
    } finally {
      await runtime.dispose();
    }
  });
}
