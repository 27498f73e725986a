// The engine's experiments: `experiment/run` plays every (condition, seed) of an experiment as a session, one
// at a time, through the same session host as `session/run` (so status, pause, resume and stop work the same),
// loading each distinct model configuration once and keeping it for all the runs that use it.
import type { MessageConnection } from "vscode-jsonrpc/node";
import { CultureLabError } from "../../workspace-kb/errors";
import { parseExperiment } from "../experiment/experimentConfig";
import { runExperiment } from "../experiment/runExperiment";
import type { LoopConfig } from "../loop/loopConfig";
import { runModelSession } from "../loop/modelSession";
import { newRunId } from "../loop/runRecorder";
import type { Runtime } from "../runtime/runtime";
import type { EngineHandlers } from "./engineHandlers";
import { experimentRun } from "./protocol";
import { hostedSession, notify, openForClient } from "./sessionHandlers";
import type { SessionHost } from "./sessionHost";

interface OpenModel {
  runtime: Runtime;
  /** What opening decided (the thread count, the offline fallback), applied to every run that uses it. */
  model: string;
  threads: number;
  caveats: string[];
}

export function registerExperimentHandlers(connection: MessageConnection, handle: EngineHandlers, host: SessionHost): void {
  handle(experimentRun, async (params, clientSignal) => {
    if (host.busy) {
      throw new CultureLabError("session-running", `A session is already running in this engine (on ${host.current.workspaceDir}).`, "Stop it first, or wait for it to finish.");
    }
    const plan = parseExperiment(params.experiment, params.source);
    const folder = params.folder ?? ".culture";
    const experimentId = newRunId();
    const notice = notify(connection);
    const { signal, end } = host.begin(params.workspaceDir, clientSignal);
    const models = new Map<string, OpenModel>();
    let finished = 0;
    const planned = plan.conditions.length * plan.seeds.length;
    try {
      const openModel = async (config: LoopConfig): Promise<OpenModel> => {
        const key = JSON.stringify(config.runtime);
        let open = models.get(key);
        if (!open) {
          const caveats: string[] = [];
          const runtime = await openForClient(config, caveats, params, signal, connection);
          open = { runtime, model: config.runtime.model, threads: config.runtime.threads as number, caveats };
          models.set(key, open);
        }
        return open;
      };
      const result = await runExperiment({
        workspaceDir: params.workspaceDir,
        folder,
        plan,
        source: params.source,
        experimentId,
        signal,
        onRunStarted: (run) => notice(`run ${run.index} of ${run.total}: condition "${run.condition}", seed ${run.seed}`, "info"),
        runSession: async ({ config, workspaceDir }) => {
          const open = await openModel(config);
          config.runtime.model = open.model;
          config.runtime.threads = open.threads;
          const outcome = await runModelSession({ workspaceDir, config, runtime: open.runtime, caveats: [...open.caveats], signal, ...hostedSession(host, connection) });
          finished++;
          return outcome;
        },
      });
      return { experimentId, dir: result.dir, reportPath: result.reportPath, verdicts: result.comparison.verdicts, finished: result.finished, planned: result.planned };
    } catch (error) {
      if (signal.aborted) {
        throw new CultureLabError(
          "cancelled",
          `The experiment was stopped after ${finished} of ${planned} runs; the comparison of those is in ${params.workspaceDir}/${folder}/experiments/${experimentId}/report.html.`,
        );
      }
      throw error;
    } finally {
      for (const open of models.values()) await open.runtime.dispose();
      end();
    }
  });
}
