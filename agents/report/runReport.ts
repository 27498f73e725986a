// Writes a run's report from its records: report.html, and beside it the per-generation series as series.csv and
// series.json. The session calls it after every generation (so a stopped run keeps the report of its last
// finished generation) and `culture-lab report <run-id>` calls it to rebuild one for any run.
import { writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { NOISE_CAVEAT } from "../loop/modelSession";
import { readRun, runDirectory } from "../loop/runRecorder";
import { renderHtmlReport } from "./htmlReport";
import { researchView } from "./researchView";
import { modelOfManifest, runGenerations, seriesCsv } from "./runRecords";
import type { RunSummary } from "./runSummary";

export interface RunReportOptions {
  kb: KnowledgeBase;
  cultureDir: string;
  runId: string;
  /** The model as the session describes it; from the run's manifest when left out. */
  model?: RunSummary["model"];
  /** Statements the reader must see first (e.g. the offline fallback's). */
  caveats?: string[];
}

export function writeRunReport(options: RunReportOptions): { reportPath: string; summary: RunSummary } {
  const { kb, cultureDir, runId } = options;
  const dir = runDirectory(cultureDir, runId);
  const run = readRun(cultureDir, runId);
  const model = options.model ?? modelOfManifest(run.manifest);
  const generations = runGenerations(kb, runId);
  const planned = (run.manifest.config as { generations?: number } | undefined)?.generations ?? generations.length;
  const caveats = [...(options.caveats ?? [])];
  // Any random-weight model, whether the user named it or the offline fallback chose it.
  if (model.isNoise && !caveats.includes(NOISE_CAVEAT)) caveats.unshift(NOISE_CAVEAT);
  if (generations.length < planned) {
    caveats.push(
      generations.length === 0
        ? `No generation of the ${planned} planned has finished yet (or the run was stopped before the first ended).`
        : `This report covers ${generations.length} of the ${planned} planned generations: the run is still going, or was stopped (its report is rewritten after every generation).`,
    );
  }
  const summary: RunSummary = { runId, startedAt: run.manifest.startedAt, model, caveats, generations, view: researchView(kb, runId, run.calls) };
  writeAtomically(join(dir, "series.csv"), seriesCsv(generations));
  writeAtomically(join(dir, "series.json"), `${JSON.stringify(generations, null, 2)}\n`);
  const reportPath = join(dir, "report.html");
  writeAtomically(reportPath, renderHtmlReport(summary));
  return { reportPath, summary };
}

/** A reader (a browser open on the report) never sees half a file, and a kill mid-write leaves the old one. */
function writeAtomically(path: string, text: string): void {
  const temp = `${path}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}
