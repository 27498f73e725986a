// `culture-lab run`: a culture-loop session in a workspace, headless. With no model named it uses the
// recommended model; when that cannot be had (offline) it says so and runs the project's tiny random model,
// whose output is noise — the run is then a test of the machinery, and its report says so first.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { CultureLabError } from "../../workspace-kb/errors";
import { parseLoopConfig, type LoopConfig } from "../loop/loopConfig";
import { runModelSession } from "../loop/modelSession";
import type { GenerationSummary } from "../report/runSummary";
import { openRuntime, type Runtime } from "../runtime/runtime";
import { RECOMMENDED_MODEL } from "../runtime/runtimeConfig";
import type { CliCommand, CliIO } from "./command";

const UNREACHABLE = new Set(["model-offline", "model-download-failed", "model-missing"]);
const NOISE_CAVEAT = "This run used the project's tiny random-weight model: its output is noise, so every figure below measures the machinery (validation, sandbox, records), not learning.";

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
Ctrl-C stops after the current call; every finished generation is already saved.`;

export const runCommand: CliCommand = {
  name: "run",
  summary: "run a culture-loop session (self-play, notes, evaluation) and write its HTML report",
  help,
  async run(args, io) {
    const options = parseOptions(args);
    const workspaceDir = resolve(io.cwd, options.workspace ?? ".");
    if (!existsSync(workspaceDir)) throw new CultureLabError("workspace-missing", `The workspace folder ${workspaceDir} does not exist.`, "Create it or pass --workspace with an existing folder.");
    const { config, modelNamed } = loadConfig(io, options);

    const stop = new AbortController();
    const onSigint = () => stop.abort(new CultureLabError("cancelled", "Stopped by the user (Ctrl-C)."));
    process.once("SIGINT", onSigint);
    const caveats: string[] = [];
    const runtime = await openWithFallback(io, config, modelNamed, caveats, stop.signal);
    try {
      const result = await runModelSession({ workspaceDir, config, runtime, caveats, signal: stop.signal, onGeneration: (g) => io.out(describeGeneration(g)) });
      io.out(`\nrun ${result.runId} finished; report: ${result.reportPath}`);
      return 0;
    } finally {
      process.removeListener("SIGINT", onSigint);
      await runtime.dispose();
    }
  },
};

function parseOptions(args: string[]) {
  try {
    return parseArgs({
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
  } catch (error) {
    throw new CultureLabError("usage", (error as Error).message, "See `culture-lab run --help`.");
  }
}

function loadConfig(io: CliIO, options: ReturnType<typeof parseOptions>): { config: LoopConfig; modelNamed: boolean } {
  let raw: Record<string, unknown> = {};
  let source = "the defaults";
  if (options.config) {
    const path = resolve(io.cwd, options.config);
    source = path;
    try {
      raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
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
  return { config: parseLoopConfig(overridden, source), modelNamed };
}

async function openWithFallback(io: CliIO, config: LoopConfig, modelNamed: boolean, caveats: string[], signal: AbortSignal): Promise<Runtime> {
  let lastPercent = -1;
  const onDownloadProgress = (p: { downloadedBytes: number; totalBytes: number }) => {
    const percent = p.totalBytes > 0 ? Math.floor((100 * p.downloadedBytes) / p.totalBytes) : 0;
    if (percent !== lastPercent && percent % 5 === 0) io.err(`downloading ${config.runtime.model}: ${percent}%`);
    lastPercent = percent;
  };
  try {
    return await openRuntime(config.runtime, { signal, onDownloadProgress });
  } catch (error) {
    if (modelNamed || !(error instanceof CultureLabError) || !UNREACHABLE.has(error.code)) throw error;
    io.err(`The recommended model (${config.runtime.model}) is not on this machine and cannot be downloaded: ${error.message}`);
    io.err("Running the project's tiny random model instead. Its output is noise: this run tests the machinery, not learning.");
    config.runtime.model = "tiny";
    caveats.push(NOISE_CAVEAT);
    return await openRuntime(config.runtime, { signal });
  }
}

function describeGeneration(g: GenerationSummary): string {
  const parts = [
    `generation ${g.generation}:`,
    `${g.validProposals}/${g.proposals} valid proposals`,
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
