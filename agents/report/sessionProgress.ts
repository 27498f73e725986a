// Where a session is inside a generation, as the engine reports it and as a person reads it (the CLI's progress
// line and the editor's progress notification say the same words). The loop's ProgressTracker fills it.

export type Phase = "proposing" | "solving" | "writing notes" | "consolidating" | "evaluating" | "probing";

export interface SessionProgress {
  /** The generation in play (absolute) and its place in this session (1-based) of how many. */
  generation: number;
  ordinal: number;
  generations: number;
  phase: Phase;
  callsDone: number;
  /** Calls the phase expects; absent when it cannot know (the librarian writes as many chapters as fit). */
  callsTotal?: number;
  /** Time left in this phase at its pace so far, once a call has finished. */
  phaseEtaMs?: number;
  /** Time left in the session, once a generation has finished (its mean length times those left). */
  etaMs?: number;
}

/** "3 min", "40 s", "1 h 5 min": how long is left, to the precision a person plans with. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** One line for a log or a terminal: "gen 2/6 · solving 5/24 calls · ~1 min left in phase · ~9 min left". */
export function describeProgress(p: SessionProgress, tokensPerSecond?: number): string {
  const parts = [`gen ${p.ordinal}/${p.generations}`, `${p.phase} ${p.callsDone}${p.callsTotal !== undefined ? `/${p.callsTotal}` : ""} calls`];
  if (tokensPerSecond !== undefined && Number.isFinite(tokensPerSecond)) parts.push(`${tokensPerSecond.toFixed(1)} tok/s`);
  if (p.phaseEtaMs !== undefined) parts.push(`~${formatDuration(p.phaseEtaMs)} left in phase`);
  parts.push(p.etaMs !== undefined ? `~${formatDuration(p.etaMs)} left` : "total time known after the first generation");
  return parts.join(" · ");
}
