// The run's report: one self-contained HTML file (inline CSS and SVG, no scripts, no network) that says plainly
// what happened — whether the knowledge base measurably helped, whether diversity collapsed — and shows the series.
import { escapeHtml } from "./escapeHtml";
import { REPORT_CSS } from "./reportStyle";
import { describeReasons, totalReasons } from "./refusalReasons";
import { researchSections } from "./researchSections";
import type { GenerationSummary, RunSummary } from "./runSummary";
import { svgLineChart, type Series } from "./svgLineChart";

export function renderHtmlReport(run: RunSummary): string {
  const g = run.generations;
  const evaluated = g.filter((x) => x.evaluation);
  const series = (label: string, pick: (x: GenerationSummary) => number | undefined, rows = g): Series => ({
    label,
    points: rows.flatMap((x) => {
      const y = pick(x);
      return y === undefined ? [] : [{ x: x.generation, y }];
    }),
  });
  const charts = [
    svgLineChart("Held-out solve rate, with and without the knowledge base", [
      series("with KB", (x) => x.evaluation?.withKb, evaluated),
      series("without KB", (x) => x.evaluation?.withoutKb, evaluated),
      series("ratchet", (x) => x.evaluation?.ratchet, evaluated),
    ]),
    svgLineChart("Held-out gain (with − without) and its 95% interval", [
      series("gain", (x) => x.evaluation?.gain, evaluated),
      series("low", (x) => x.evaluation?.gainLow, evaluated),
      series("high", (x) => x.evaluation?.gainHigh, evaluated),
    ]),
    svgLineChart("Diversity of the notes (window)", [
      series("distinct-2", (x) => x.metrics.distinct_2),
      series("self-BLEU-4", (x) => x.metrics.self_bleu_4),
      series("Vendi (n-gram)", (x) => x.metrics.vendi_ngram),
    ]),
    svgLineChart("Collapse probe: diversity of answers to fixed open prompts", [
      series("distinct-2", (x) => x.probeMetrics?.distinct_2),
      series("self-BLEU-4", (x) => x.probeMetrics?.self_bleu_4),
    ]),
    svgLineChart("Proposals per generation", [series("all", (x) => x.proposals), series("valid", (x) => x.validProposals)]),
    svgLineChart("Reuse and citation depth", [series("reuse", (x) => x.reuse), series("citation depth", (x) => x.citationDepth)]),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Culture Lab run ${escapeHtml(run.runId)}</title>
<style>
${REPORT_CSS}</style></head><body>
<h1>Culture Lab — run ${escapeHtml(run.runId)}</h1>
<p>Started ${escapeHtml(run.startedAt)} · model ${escapeHtml(run.model.name)} (${run.model.parameters.toLocaleString("en")} parameters, sha256 ${escapeHtml(run.model.sha256.slice(0, 16))}…) · ${g.length} generation(s)</p>
${run.caveats.map((c) => `<p class="caveat">${escapeHtml(c)}</p>`).join("\n")}
<h2>Verdict</h2>
<ul>${verdict(run).map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>
<div class="grid">${charts.join("\n")}</div>
<h2>Generations</h2>
${generationTable(g)}
${run.view ? researchSections(run.view) : ""}
</body></html>
`;
}

/** Plain sentences, each backed by a number in the table; no claim without its interval. */
export function verdict(run: RunSummary): string[] {
  const g = run.generations;
  const lines: string[] = [];
  const proposals = sum(g, (x) => x.proposals);
  const valid = sum(g, (x) => x.validProposals);
  const refused = describeReasons(totalReasons(g.map((x) => x.invalidReasons)));
  lines.push(`${valid} of ${proposals} proposed problems were valid (${percent(valid, proposals)})${refused ? ` — ${refused}` : ""}.`);
  if (valid === 0 && proposals > 0) lines.push("No valid problem was proposed, so the self-play game taught nothing in this run.");
  const last = [...g].reverse().find((x) => x.evaluation)?.evaluation;
  if (!last) {
    lines.push("No held-out evaluation ran, so nothing can be said about accumulation.");
  } else if (last.gainLow > 0) {
    lines.push(`The knowledge base helped: held-out gain ${fmt(last.gain)} (95% interval ${fmt(last.gainLow)} to ${fmt(last.gainHigh)}).`);
  } else if (last.gainHigh < 0) {
    lines.push(`The knowledge base hurt: held-out gain ${fmt(last.gain)} (95% interval ${fmt(last.gainLow)} to ${fmt(last.gainHigh)}).`);
  } else {
    lines.push(`No measurable effect of the knowledge base: held-out gain ${fmt(last.gain)} (95% interval ${fmt(last.gainLow)} to ${fmt(last.gainHigh)} includes 0).`);
  }
  if (last && last.detectableGain !== undefined && Number.isFinite(last.detectableGain)) {
    lines.push(`The interval is ${fmt(last.gainHigh - last.gainLow)} wide (${last.pairs ?? "?"} paired runs): a true gain of about ${fmt(last.detectableGain)} or more would show as an interval above 0 four times in five; smaller ones may not show.`);
  }
  if (last && last.ratchetNullDrift !== undefined && Number.isFinite(last.ratchetNullDrift)) {
    lines.push(`Ratchet (best with-KB solve rate so far) ${fmt(last.ratchet)}; with no true change a ratchet over these evaluations would sit ${fmt(last.ratchetNullDrift)} above the mean rate by chance alone.`);
  }
  const alarms = g.filter((x) => x.collapseAlarm).map((x) => x.generation);
  lines.push(alarms.length > 0 ? `Collapse alarm raised at generation(s) ${alarms.join(", ")}.` : "No collapse alarm was raised.");
  const converging = g.filter((x) => x.converging).map((x) => x.generation);
  if (converging.length > 0) lines.push(`Diversity was converging (falling, short of collapse) at generation(s) ${converging.join(", ")}.`);
  return lines;
}

function generationTable(g: GenerationSummary[]): string {
  const head = ["gen", "level", "proposals", "valid", "attempts", "solved", "notes", "rejected", "chapters", "archived", "reuse", "depth", "distinct-2", "self-BLEU-4", "held-out with/without", "alarm", "tokens", "prompt tokens decoded / in full", "model share of wall time"];
  const rows = g.map((x) =>
    [
      x.generation, x.level ?? "—", x.proposals, x.validProposals, x.attempts, x.solved, x.notesWritten, x.notesRejected, x.chaptersWritten, x.archived,
      fmt(x.reuse), x.citationDepth, fmt(x.metrics.distinct_2), fmt(x.metrics.self_bleu_4),
      x.evaluation ? `${fmt(x.evaluation.withKb)} / ${fmt(x.evaluation.withoutKb)}` : "—",
      x.collapseAlarm ? "yes" : "", x.completionTokens,
      x.promptTokens === undefined ? "—" : `${x.promptTokensEvaluated} / ${x.promptTokens}`,
      percent(x.modelBusyMs, x.wallMs),
    ].map((v) => `<td>${escapeHtml(String(v))}</td>`).join(""),
  );
  return `<div class="table"><table><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr>${rows.map((r) => `<tr>${r}</tr>`).join("")}</table></div>`;
}

function sum(g: GenerationSummary[], pick: (x: GenerationSummary) => number): number {
  return g.reduce((acc, x) => acc + pick(x), 0);
}

function fmt(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "—" : (Math.round(v * 1000) / 1000).toString();
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)}%` : "—";
}
