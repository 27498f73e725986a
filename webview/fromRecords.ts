// The engine's records turned into the panel's wire types: knowledge-base entries → PanelEntry (no embedding, a
// problem's play verdict in words), and the engine's session status, run listing and run detail. Pure, with
// structural input types, so the extension host and the test fixture recorder build the same messages.
import type { AgentGeneration, GenerationSummary, PanelEntry, RunData, RunListing, SessionState, ToPanel } from "./protocol";

export interface EntryRecord {
  id: string;
  kind: PanelEntry["kind"];
  author: string;
  generation: number;
  title: string;
  text: string;
  cites: string[];
  createdAt: string;
  archived?: unknown;
}

export interface AttemptRecord {
  problemId: string;
  agentId: string;
  generation: number;
  correct: boolean;
  data?: unknown;
}

/** Held-out evaluation attempts (data.heldOut) measure the bank, not play: they are left out of play figures. */
function isPlay(a: AttemptRecord): boolean {
  return !(typeof a.data === "object" && a.data !== null && (a.data as { heldOut?: unknown }).heldOut === true);
}

export function toPanelEntries(entries: readonly EntryRecord[], attempts: readonly AttemptRecord[]): PanelEntry[] {
  const play = new Map<string, { tried: number; solved: number }>();
  for (const a of attempts) {
    if (!isPlay(a)) continue;
    const p = play.get(a.problemId) ?? { tried: 0, solved: 0 };
    p.tried++;
    if (a.correct) p.solved++;
    play.set(a.problemId, p);
  }
  return entries.map((e) => {
    const p = e.kind === "problem" ? play.get(e.id) : undefined;
    const entry: PanelEntry = { id: e.id, kind: e.kind, author: e.author, generation: e.generation, title: e.title, text: e.text, cites: e.cites, createdAt: e.createdAt, archived: e.archived !== undefined };
    if (e.kind === "problem") entry.verdict = p ? `solved ${p.solved} of ${p.tried}` : "not attempted yet";
    return entry;
  });
}

/** The engine's session status (agents/engine/protocol.ts SessionStatus, structurally) as the panel's session line. */
export function toPanelSession(status: {
  state: "idle" | "starting" | "running" | "paused" | "stopping";
  runId?: string;
  generation?: number;
  firstGeneration?: number;
  generations?: number;
  tokensPerSecond?: number;
}): SessionState {
  const { state, runId, generation, firstGeneration, generations, tokensPerSecond } = status;
  // Absent fields stay absent (not undefined) so the message is the same after a postMessage round trip.
  return JSON.parse(JSON.stringify({ phase: state, runId, generation, firstGeneration, generations, tokensPerSecond })) as SessionState;
}

/** A run as the engine lists it (RunInfo, structurally) for the runs table. */
export function toRunListing(info: { runId: string; startedAt: string; model: string; generations: number; verdict?: string }): RunListing {
  return { runId: info.runId, startedAt: info.startedAt, model: info.model, generations: info.generations, ...(info.verdict === undefined ? {} : { verdict: info.verdict }) };
}

/** A run's figures as the engine answers runs/get (RunDetail, structurally), with per-agent rows when known. */
export function toRunData(
  detail: { info: { runId: string }; config: unknown; generations: GenerationSummary[]; modelParameters?: number },
  agents: AgentGeneration[] = [],
  caveats: string[] = [],
): RunData {
  const run: RunData = { runId: detail.info.runId, summaries: detail.generations, agents, caveats, config: detail.config };
  if (detail.modelParameters !== undefined) run.modelParameters = detail.modelParameters;
  return run;
}

/**
 * The live run's newly committed generations as panel messages, each with its agents' rows read from the run's
 * records (engine runs/get), which name every agent's backend and model — turnover's newcomers too.
 */
export function liveGenerations(runId: string, summaries: readonly GenerationSummary[], rows: readonly AgentGeneration[], at: number): ToPanel[] {
  return summaries.map((summary) => ({ type: "generation", runId, summary, agents: rows.filter((a) => a.generation === summary.generation), at }));
}
