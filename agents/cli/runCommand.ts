// `culture-lab run`: a culture-loop session in a workspace, headless. With no model named it uses the
// recommended model; when that cannot be had (offline) it says so and runs the project's tiny random model,
// whose output is noise — the run is then a test of the machinery, and its report says so first.
import { existsSync, statSync } from "node:fs";
import { readSmallFile } from "../../workspace-kb/boundedFile";
import { resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { EngineClient } from "../engine/engineClient";
import { runtimeDownloadProgress, sessionGeneration, sessionNotice, sessionRun } from "../engine/protocol";
import { parseLoopConfig } from "../loop/loopConfig";
import type { GenerationSummary } from "../report/runSummary";
import { RECOMMENDED_MODEL } from "../runtime/runtimeConfig";
import { kbPaths } from "../../workspace-kb/knowledgeBase";
import { clearDeadOwner } from "../../workspace-kb/sessionLock";
import { parseCommandArgs, type CliCommand, type CliIO } from "./command";
import { describeReasons } from "../report/refusalReasons";
import { EXIT_STOPPED_BY, listenForStop } from "./stopSignals";


const help = `Usage: culture-lab run [options]

Runs a culture-loop session on the workspace's knowledge base (.culture/) and writes
.culture/runs/<run-id>/ (manifest.json, calls.jsonl, report.html).

Options:
  --workspace DIR     the workspace folder (default: the current folder)
  --config FILE       a JSON configuration (every field optional; see README "Configuration")
  --model REF         a .gguf path, "tiny", or hf:<user>/<repo>:<quant> (default: ${RECOMMENDED_MODEL})
  --generations N     overrides the configuration's generation count
  --threads N         CPU threads for decoding (default: this machine's available parallelism)
  --offline           never download; without a local model, fall back to the tiny model

Without --model (and without runtime.model in the configuration), a recommended model that
cannot be downloaded is replaced by the tiny random model, and the run says so plainly.
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
    const { config, configSource, modelNamed, knowledgeBaseFolder } = loadConfig(io, options);

    const stop = listenForStop((line) => io.err(line));
    let engine: EngineClient | undefined;
    try {
      // The session runs in the engine process: llama.cpp may abort its process, and that must not take the
      // client (this CLI, or the editor) with it. The knowledge base is committed after every generation.
      engine = await EngineClient.start({ onLog: (line) => io.err(`[engine] ${line}`) });
      const started = engine;
      stop.onSecond(() => started.kill());
      let lastPercent = -1;
      engine.onNotification(sessionNotice, ({ message }) => io.err(message));
      engine.onNotification(sessionGeneration, (g) => io.out(describeGeneration(g)));
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
      stop.dispose();
      const enginePid = engine?.lastPid;
      await engine?.dispose();
      // An engine that was killed cannot release the knowledge base's lock; its client can, once it is gone.
      if (enginePid !== undefined) await clearDeadOwner(kbPaths(workspaceDir, knowledgeBaseFolder).folder, enginePid);
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

/** Reads the file and applies the flags; checked here too, so a bad configuration fails before an engine starts. */
function loadConfig(io: CliIO, options: ReturnType<typeof parseOptions>): { config: unknown; configSource: string; modelNamed: boolean; knowledgeBaseFolder: string } {
  let raw: Record<string, unknown> = {};
  let source = "the defaults";
  if (options.config) {
    const path = resolve(io.cwd, options.config);
    source = path;
    const text = readSmallFile(path, 1024 * 1024, "the configuration", "config-unreadable").toString("utf8");
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new CultureLabError("config-unreadable", `Cannot read the configuration ${path}: ${(error as Error).message}`, "Pass a JSON file; every field is optional.");
    }
  }
  const runtimeRaw = (typeof raw.runtime === "object" && raw.runtime !== null ? raw.runtime : {}) as Record<string, unknown>;
  const modelNamed = options.model !== undefined || runtimeRaw.model !== undefined;
  const overridden = {
    ...raw,
    ...(options.generations !== undefined ? { generations: Number(options.generations) } : {}),
    runtime: {
      ...runtimeRaw,
      ...(options.model !== undefined ? { model: options.model } : {}),
      ...(options.threads !== undefined ? { threads: Number(options.threads) } : {}),
      ...(options.offline ? { allowDownload: false } : {}),
    },
  };
  const parsed = parseLoopConfig(overridden, source);
  return { config: overridden, configSource: source, modelNamed, knowledgeBaseFolder: parsed.knowledgeBaseFolder };
}

function describeGeneration(g: GenerationSummary): string {
  const parts = [
    `generation ${g.generation}:`,
    `${g.validProposals}/${g.proposals} valid proposals${g.validProposals < g.proposals ? ` (${describeReasons(g.invalidReasons)})` : ""}`,
    `${g.solved}/${g.attempts} solved`,
    `${g.notesWritten} notes (${g.notesRejected} rejected)`,
  ];
  if (g.chaptersWritten > 0 || g.archived > 0) parts.push(`${g.chaptersWritten} chapters, ${g.archived} archived`);
  if (g.evaluation) parts.push(`held-out ${fmt(g.evaluation.withKb)} with KB vs ${fmt(g.evaluation.withoutKb)} without (gain ${fmt(g.evaluation.gain)}, 95% CI ${fmt(g.evaluation.gainLow)}..${fmt(g.evaluation.gainHigh)})`);
  if (g.collapseAlarm) parts.push("COLLAPSE ALARM");
  parts.push(`${Math.round(g.wallMs)} ms`);
  return parts.join("  ");
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(2) : "—";
}
