// The experiment's comparison as one self-contained HTML file (inline CSS and SVG, no scripts, no network) and
// its per-run series as CSV: which condition did better against the control, with the interval, the curves of
// every condition with their spread over seeds, and the settings that tell the conditions apart.
import { escapeHtml } from "../report/escapeHtml";
import { REPORT_CSS } from "../report/reportStyle";
import { svgLineChart, type Series } from "../report/svgLineChart";
import { CURVES, type ExperimentComparison, type ExperimentRun } from "./compareRuns";

export interface ExperimentReportInput {
  experimentId: string;
  source: string;
  planned: number;
  runs: ExperimentRun[];
  comparison: ExperimentComparison;
}

export function renderExperimentReport(input: ExperimentReportInput): string {
  const { comparison } = input;
  const charts = CURVES.map((curve) =>
    svgLineChart(
      `${curve.label} (mean over seeds; thin lines: lowest and highest)`,
      comparison.conditions.flatMap((c): Series[] => {
        const band = c.curves[curve.key] ?? [];
        if (band.length === 0) return [];
        const spread = c.seeds.length > 1;
        return [
          { label: c.condition, points: band.map((b) => ({ x: b.ordinal, y: b.mean })) },
          ...(spread ? [{ label: `${c.condition} low`, points: band.map((b) => ({ x: b.ordinal, y: b.min })) }, { label: `${c.condition} high`, points: band.map((b) => ({ x: b.ordinal, y: b.max })) }] : []),
        ];
      }),
    ),
  );
  const caveats = [...new Set(input.runs.flatMap((r) => r.caveats))].map((c) => `<p class="caveat">${escapeHtml(c)}</p>`).join("\n");
  const unfinished = input.runs.length < input.planned ? `<p class="caveat">${input.runs.length} of ${input.planned} runs finished; the comparison covers those.</p>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Culture Lab experiment ${escapeHtml(input.experimentId)}</title>
<style>
${REPORT_CSS}td:first-child{text-align:left}
</style></head><body>
<h1>Culture Lab — experiment ${escapeHtml(input.experimentId)}</h1>
<p>From ${escapeHtml(input.source)} · control: ${escapeHtml(comparison.control)} · ${input.runs.length} run(s). Differences are paired: the same seed (so the
same held-out bank) and the same problem, with a bootstrap 95% interval over (seed, problem) pairs.</p>
${caveats}
${unfinished}
<h2>Verdict</h2>
<ul>${comparison.verdicts.map((v) => `<li>${escapeHtml(v)}</li>`).join("") || "<li>Nothing to compare yet.</li>"}</ul>
<h2>Conditions</h2>
${conditionTable(comparison)}
<h2>How the conditions differ</h2>
${differenceTable(comparison)}
<div class="grid">${charts.join("\n")}</div>
<h2>Runs</h2>
${runTable(input.runs)}
</body></html>
`;
}

function conditionTable(c: ExperimentComparison): string {
  const rows = c.conditions.map((x) => {
    const v = x.versusControl;
    const versus = x.isControl ? "control" : v && v.pairs > 0 ? `${signed(v.difference)} [${signed(v.low)}, ${signed(v.high)}] (${v.pairs} pairs)` : "—";
    return `<tr><td>${escapeHtml(x.condition)}</td><td>${x.seeds.join(", ")}</td><td>${num(x.heldOut)}</td><td>${escapeHtml(versus)}</td><td>${x.collapseAlarms}</td></tr>`;
  });
  return `<table><tr><th>condition</th><th>seeds</th><th>held-out solve rate (last evaluation)</th><th>difference vs control [95% CI]</th><th>generations with the collapse alarm</th></tr>${rows.join("")}</table>`;
}

function differenceTable(c: ExperimentComparison): string {
  if (c.differences.length === 0) return `<p class="empty">The conditions have the same settings.</p>`;
  const names = c.conditions.map((x) => x.condition);
  const head = `<tr><th>setting</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join("")}</tr>`;
  const rows = c.differences.map((d) => `<tr><td>${escapeHtml(d.setting)}</td>${names.map((n) => `<td>${escapeHtml(JSON.stringify(d.values[n]) ?? "—")}</td>`).join("")}</tr>`);
  return `<table>${head}${rows.join("")}</table>`;
}

function runTable(runs: ExperimentRun[]): string {
  const rows = runs.map((r) => `<tr><td>${escapeHtml(r.condition)}</td><td>${r.seed}</td><td>${escapeHtml(r.runId)}</td><td>${escapeHtml(`${r.workspace}/`)}</td><td>${r.generations.length}</td></tr>`);
  return `<table><tr><th>condition</th><th>seed</th><th>run</th><th>its workspace (report in .culture/runs/)</th><th>generations</th></tr>${rows.join("")}</table>`;
}

/** condition,seed,run,generation,series,value — one row per measured value of every run. */
export function experimentCsv(runs: ExperimentRun[]): string {
  const lines = ["condition,seed,run,generation,series,value"];
  for (const run of runs) {
    for (const [i, g] of run.generations.entries()) {
      for (const curve of CURVES) {
        const value = curve.read(g);
        if (value !== undefined && Number.isFinite(value)) lines.push([csvCell(run.condition), run.seed, run.runId, i + 1, curve.key, value].join(","));
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function signed(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(3)}` : "—";
}

function num(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : "—";
}
