// `culture-lab experiment --config experiment.json`: conditions × seeds, each a whole session on a knowledge base
// of its own, played in the engine process on one loaded model, then compared against the control.
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { EngineClient } from "../engine/engineClient";
import { experimentRun, runtimeDownloadProgress, sessionGeneration, sessionNotice, sessionStatusChanged } from "../engine/protocol";
import { merge } from "../experiment/experimentConfig";
import { parseCommandArgs, type CliCommand } from "./command";
import { ProgressReporter } from "./progressReporter";
import { EXIT_STOPPED_BY, listenForStop } from "./stopSignals";
import { closeEngine } from "./closeEngine";
import { kbPaths } from "../../workspace-kb/knowledgeBase";
import { readConfigFile, withPathsResolved } from "./runConfig";

const help = `Usage: culture-lab experiment --config FILE [--workspace DIR] [--folder NAME] [--offline]

Runs an experiment: every condition with every seed, each as a whole culture-loop session on a knowledge
base of its own (the same runs \`culture-lab run\` makes, one after another on one loaded model), then
compares every condition with the control. The experiment and its runs are filed under
.culture/experiments/<id>/ of the workspace: report.html (the verdicts, each condition's curves with their
spread over seeds, paired differences against the control with 95% intervals, and the settings that differ),
experiment.json and series.csv, and runs/<condition>--seed-<n>/ with each run's own .culture/.

The file (JSON; see README "Experiments"):
  { "base": { "generations": 6 },                          settings every condition shares
    "conditions": [ { "name": "control", "config": { "knowledgeBaseAccess": false } },
                    { "name": "kb", "config": {} } ],        or "matrix": { "knowledgeBaseAccess": [false, true] }
    "control": "control",                                  default: the first condition
    "seeds": [1, 2, 3] }                                   a condition's run and the control's with the same seed pair up

Options:
  --config FILE   the experiment file; paths inside it (runtime.model, runtime.modelsDir) are relative to it
  --workspace DIR the workspace to file the experiment under (default: the current folder)
  --folder NAME   its knowledge-base folder (default: .culture)
  --offline       never download; without a local model, fall back to the tiny model

On bad input nothing runs: an unknown setting (with "did you mean"), a wrong value, a control that is not a
condition, a seed given twice or fewer than two conditions are refused with every problem listed (exit 1).
Ctrl-C (or SIGTERM) stops after the call in flight, a second Ctrl-C at once; the runs that finished are
compared in the report. Exit codes: 0 finished; 1 an error; 2 a usage error; 130 Ctrl-C; 143 SIGTERM.`;

export const experimentCommand: CliCommand = {
  name: "experiment",
  summary: "run conditions × seeds (KB on/off, interventions, models…) and compare them with a control",
  help,
  async run(args, io) {
    const { values } = parseCommandArgs("experiment", {
      args,
      options: { config: { type: "string" }, workspace: { type: "string" }, folder: { type: "string" }, offline: { type: "boolean", default: false } },
    });
    if (values.config === undefined) throw new CultureLabError("usage", "--config FILE is required: the experiment to run.", "Run `culture-lab experiment --help` for its format.");
    const workspaceDir = resolve(io.cwd, values.workspace ?? ".");
    if (!existsSync(workspaceDir) || !statSync(workspaceDir).isDirectory()) {
      throw new CultureLabError("workspace-missing", `The workspace folder ${workspaceDir} does not exist or is not a folder.`, "Pass --workspace with an existing folder.");
    }
    const source = resolve(io.cwd, values.config);
    const experiment = withResolvedPaths(readConfigFile(source), dirname(source), values.offline === true);
    const modelNamed = namesModel(experiment);

    const stop = listenForStop((line) => io.err(line));
    const progress = new ProgressReporter(io);
    let engine: EngineClient | undefined;
    try {
      engine = await EngineClient.start({ onLog: (line) => io.err(`[engine] ${line}`) });
      const started = engine;
      stop.onSecond(() => started.kill());
      engine.onNotification(sessionNotice, ({ message }) => io.err(message));
      engine.onNotification(sessionGeneration, (g) => io.out(`  generation ${g.generation}: ${g.validProposals}/${g.proposals} valid, ${g.solved}/${g.attempts} solved${g.evaluation ? `, held-out ${g.evaluation.withKb.toFixed(2)} with KB vs ${g.evaluation.withoutKb.toFixed(2)} without` : ""}`));
      engine.onNotification(sessionStatusChanged, (status) => progress.show(status));
      engine.onNotification(runtimeDownloadProgress, (p) => io.err(`downloading ${p.uri}: ${p.totalBytes > 0 ? Math.floor((100 * p.downloadedBytes) / p.totalBytes) : 0}%`));
      const result = await engine.request(experimentRun, { workspaceDir, ...(values.folder ? { folder: values.folder } : {}), experiment, source, modelNamed }, stop.signal);
      progress.end();
      io.out(["", ...result.verdicts, "", `experiment ${result.experimentId} finished (${result.finished} runs); report: ${result.reportPath}`].join("\n"));
      return 0;
    } catch (error) {
      progress.end();
      if (stop.received) {
        io.err(`Stopped (${stop.received === "SIGINT" ? "Ctrl-C" : stop.received}). The runs that finished are compared in the experiment's report.html.`);
        return EXIT_STOPPED_BY[stop.received];
      }
      throw error;
    } finally {
      await closeEngine(stop, engine, kbPaths(workspaceDir, values.folder ?? ".culture").folder);
    }
  },
};

/** Model paths in the file are relative to it; --offline applies to every condition. */
function withResolvedPaths(raw: Record<string, unknown>, base: string, offline: boolean): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw; // the engine names the problem
  const fix = (config: unknown) => {
    if (typeof config !== "object" || config === null || Array.isArray(config)) return config;
    const resolved = withPathsResolved(config as Record<string, unknown>, base);
    return offline ? merge(resolved, { runtime: { allowDownload: false } }) : resolved;
  };
  const out: Record<string, unknown> = { ...raw, base: fix(raw.base ?? {}) };
  if (Array.isArray(raw.conditions)) out.conditions = raw.conditions.map((c) => (typeof c === "object" && c !== null && "config" in c ? { ...c, config: fix((c as { config: unknown }).config) } : c));
  return out;
}

/** Whether the file names a model anywhere (base, a condition, the matrix): then it is never replaced offline. */
function namesModel(experiment: Record<string, unknown>): boolean {
  const has = (config: unknown) => typeof (config as { runtime?: { model?: unknown } } | undefined)?.runtime?.model === "string";
  const conditions = Array.isArray(experiment.conditions) ? experiment.conditions : [];
  const matrix = (experiment.matrix ?? {}) as Record<string, unknown>;
  return has(experiment.base) || conditions.some((c) => has((c as { config?: unknown }).config)) || "runtime.model" in matrix;
}
