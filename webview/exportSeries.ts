// Every per-generation series of the shown runs as CSV (one row per run and generation, one column per figure,
// nested figures flattened as "metrics.distinct_2") and as JSON (the summaries as the engine sent them).
import type { GenerationSummary } from "../agents/report/runSummary";
import type { RunData } from "./protocol";

export function flattenSummary(g: GenerationSummary): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  const walk = (prefix: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (typeof value === "object") for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    else if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") out[prefix] = value;
  };
  walk("", g);
  return out;
}

export function seriesCsv(runs: readonly RunData[]): string {
  const rows = runs.flatMap((r) => r.summaries.map((g) => ({ run: r.runId, ...flattenSummary(g) })));
  const columns = ["run", "generation", ...[...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => c !== "run" && c !== "generation").sort()];
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell((row as Record<string, unknown>)[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export function seriesJson(runs: readonly RunData[]): string {
  return `${JSON.stringify({ runs: runs.map((r) => ({ runId: r.runId, caveats: r.caveats, generations: r.summaries, agents: r.agents })) }, null, 1)}\n`;
}

/** RFC 4180 quoting; a cell that a spreadsheet would run as a formula (= + - @ first) is prefixed with '. */
function csvCell(value: unknown): string {
  if (value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
