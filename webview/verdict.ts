// The verdict strip in words: is the knowledge base measurably helping, has the collapse alarm fired (and which
// series moved, by how much, since when), and is the session alive. Every number comes from the run's summaries.
import type { GenerationSummary } from "../agents/report/runSummary";
import type { SessionState } from "./protocol";

export interface Verdict {
  accumulation: string;
  /** Set while the latest generation carries the collapse alarm. */
  alarm?: string;
  /** A past alarm that has cleared, or undefined. */
  pastAlarm?: string;
}

/**
 * The series the earlier collapse detector tracked, with its thresholds (now workspace-kb/metrics/windowDropDetector.ts;
 * that module pulls in zod, too heavy for the panel, so the four rows are repeated here): they explain alarms of runs
 * recorded before the generation record carried `collapseReasons`.
 */
export const ALARM_SERIES = [
  { metric: "distinct_2", label: "distinct-2", threshold: 0.2, mode: "relative", lowerIsMoreDiverse: false },
  { metric: "compression_ratio", label: "compression ratio", threshold: 0.2, mode: "relative", lowerIsMoreDiverse: true },
  { metric: "self_bleu_4", label: "self-BLEU-4", threshold: 0.1, mode: "absolute", lowerIsMoreDiverse: true },
  { metric: "vendi_ngram", label: "Vendi n-gram", threshold: 0.3, mode: "relative", lowerIsMoreDiverse: false },
] as const;
const ALARM_HISTORY = 10;

export function verdict(summaries: readonly GenerationSummary[]): Verdict {
  const last = summaries.at(-1);
  const evaluated = [...summaries].reverse().find((g) => g.evaluation && Number.isFinite(g.evaluation.gain));
  let accumulation: string;
  if (!last) accumulation = "No generation yet.";
  else if (!evaluated) accumulation = "No measurable effect yet: no held-out evaluation with and without the knowledge base has run.";
  else {
    const e = evaluated.evaluation!;
    const figure = `held-out gain ${signed(e.gain)} (95% CI ${signed(e.gainLow)}..${signed(e.gainHigh)}) at gen ${evaluated.generation}`;
    accumulation = e.gainLow > 0 ? `Accumulating: ${figure}` : e.gainHigh < 0 ? `The knowledge base hurts: ${figure}` : `No measurable effect yet: ${figure}`;
  }
  if (!last) return { accumulation };
  if (last.collapseAlarm) {
    let since = summaries.length - 1;
    while (since > 0 && summaries[since - 1]!.collapseAlarm) since--;
    // Runs recorded since issue 15 carry the detector's own reasons; older ones are explained as before.
    const recorded = last.collapseReasons?.filter((r) => /collapse/.test(r)) ?? [];
    const moved = recorded.length > 0 ? [] : [...fallen(summaries, (g) => g.metrics, "notes"), ...fallen(summaries, (g) => g.probeMetrics, "probe")];
    const why = recorded.length > 0 ? `: ${recorded.join("; ")}` : moved.length > 0 ? `: ${moved.join(", ")} (against each series' best of the previous ${ALARM_HISTORY} windows)` : "";
    return { accumulation, alarm: `Collapse alarm since gen ${summaries[since]!.generation}${why}` };
  }
  const raised = summaries.filter((g) => g.collapseAlarm).map((g) => g.generation);
  return raised.length > 0 ? { accumulation, pastAlarm: `Collapse alarm raised at gen ${raised.join(", ")}; clear since.` } : { accumulation };
}

/** "distinct-2 −41%": the tracked series that moved the wrong way past their threshold in the newest window that has them. */
function fallen(summaries: readonly GenerationSummary[], pick: (g: GenerationSummary) => Record<string, number> | undefined, where: string): string[] {
  const windows = summaries.map(pick).filter((m): m is Record<string, number> => m !== undefined && Object.keys(m).length > 0);
  const current = windows.at(-1);
  if (!current) return [];
  const previous = windows.slice(-1 - ALARM_HISTORY, -1);
  const out: string[] = [];
  for (const s of ALARM_SERIES) {
    const now = current[s.metric];
    const past = previous.map((m) => m[s.metric]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (now === undefined || !Number.isFinite(now) || past.length === 0) continue;
    const best = s.lowerIsMoreDiverse ? Math.min(...past) : Math.max(...past);
    const change = now - best;
    const worsening = s.lowerIsMoreDiverse ? change : -change;
    const fall = s.mode === "absolute" ? worsening : best === 0 ? 0 : worsening / Math.abs(best);
    if (fall <= s.threshold) continue;
    const shown = s.mode === "absolute" ? signed(change) : `${change < 0 ? "−" : "+"}${Math.round((100 * Math.abs(change)) / Math.abs(best))}%`;
    out.push(`${where} ${s.label} ${shown}`);
  }
  return out;
}

export function sessionLine(session: SessionState, lastEventAt: number | undefined, now: number): string {
  const phase = { idle: "No session running", starting: "Starting", running: "Running", paused: "Paused", stopping: "Stopping", finished: "Finished", failed: "Failed" }[session.phase];
  const parts = [phase];
  if (session.generation !== undefined && session.firstGeneration !== undefined && session.generations !== undefined) {
    parts.push(`gen ${session.generation} (${session.generation - session.firstGeneration + 1} of ${session.generations})`);
  }
  if (session.tokensPerSecond !== undefined && Number.isFinite(session.tokensPerSecond)) parts.push(`${session.tokensPerSecond.toFixed(1)} tok/s`);
  if (lastEventAt !== undefined) parts.push(`last event ${ago(now - lastEventAt)}`);
  if (session.message) parts.push(session.message);
  return parts.join(" · ");
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** +0.18, −0.05 (a real minus sign), 0.00. */
export function signed(v: number): string {
  if (!Number.isFinite(v)) return "—";
  const r = Math.round(v * 100) / 100;
  return r > 0 ? `+${r.toFixed(2)}` : r < 0 ? `−${Math.abs(r).toFixed(2)}` : "0.00";
}
