// The panel's state and the one function that changes it: messages from the extension and the user's own actions
// in, a new state out. Pure (no DOM), so it is unit-tested on its own; rendering reads the state and nothing else.
import type { GenerationSummary } from "../agents/report/runSummary";
import type { AgentGeneration, PanelEntry, RunData, RunListing, SessionState, ToPanel } from "./protocol";

export type Tab = "charts" | "lineage" | "feed" | "agents" | "runs";
export const TABS: readonly Tab[] = ["charts", "lineage", "feed", "agents", "runs"];

/** The panel keeps at most this many entries (newest); the extension already sends only the newest ones. */
export const MAX_ENTRIES = 5_000;

export interface GenerationRange {
  from?: number;
  to?: number;
}

export interface PanelState {
  runs: RunListing[];
  run?: RunData;
  compare?: RunData;
  /** Newest last. */
  entries: PanelEntry[];
  session: SessionState;
  lastEventAt?: number;
  /** Live messages are dropped while paused; resuming asks the extension for a snapshot. */
  paused: boolean;
  range: GenerationRange;
  tab: Tab;
  agent?: string;
  /** Per-agent rows that came live while the shown run's rows were not loaded yet; kept until they are. */
  lateAgentRows: AgentGeneration[];
}

/** What the user does in the panel itself. */
export type PanelAction =
  | { type: "ui.tab"; tab: Tab }
  | { type: "ui.range"; range: GenerationRange }
  | { type: "ui.agent"; agent?: string }
  | { type: "ui.paused"; paused: boolean }
  | { type: "ui.endCompare" };

export function initialState(): PanelState {
  return { runs: [], entries: [], session: { phase: "idle" }, paused: false, range: {}, tab: "charts", lateAgentRows: [] };
}

export function reduce(state: PanelState, message: ToPanel | PanelAction): PanelState {
  switch (message.type) {
    case "snapshot":
      return {
        ...state,
        runs: message.runs,
        run: message.run,
        // A compared run stays while it still exists.
        compare: state.compare && message.runs.some((r) => r.runId === state.compare!.runId) ? state.compare : undefined,
        entries: capEntries(message.entries),
        session: message.session,
        lastEventAt: message.lastEventAt,
        lateAgentRows: [],
      };
    case "generation": {
      if (state.paused) return state;
      const next = { ...state, lastEventAt: message.at, runs: countGeneration(state.runs, message.runId, message.summary.generation) };
      if (state.run && state.run.runId !== message.runId) return next; // the user is looking at another run
      const run = state.run ?? { runId: message.runId, summaries: [], agents: [], caveats: [] };
      const summaries = upsertGeneration(run.summaries, message.summary);
      // Rows not loaded yet (the snapshot leaves them out): these wait to be merged with the rows asked for.
      if (!run.agents) return { ...next, run: { ...run, summaries }, lateAgentRows: upsertAgents(state.lateAgentRows, message.summary.generation, message.agents) };
      return { ...next, run: { ...run, summaries, agents: upsertAgents(run.agents, message.summary.generation, message.agents) } };
    }
    case "agentRows": {
      if (!state.run || state.run.runId !== message.runId) return state; // asked for a run no longer shown
      const late = state.lateAgentRows;
      const agents = [...new Set(late.map((a) => a.generation))].reduce((rows, g) => upsertAgents(rows, g, late.filter((a) => a.generation === g)), message.agents);
      return { ...state, run: { ...state.run, agents }, lateAgentRows: [] };
    }
    case "entries":
      if (state.paused) return state;
      return { ...state, lastEventAt: message.at, entries: mergeEntries(state.entries, message.entries) };
    case "session":
      return { ...state, session: message.session, lastEventAt: message.at };
    case "runData":
      return message.role === "main" ? { ...state, run: message.run, lateAgentRows: [] } : { ...state, compare: message.run };
    case "ui.tab":
      return { ...state, tab: message.tab };
    case "ui.range":
      return { ...state, range: message.range };
    case "ui.agent":
      return { ...state, agent: message.agent };
    case "ui.paused":
      return { ...state, paused: message.paused };
    case "ui.endCompare":
      return { ...state, compare: undefined };
  }
}

/** Summaries within the chosen generation range. */
export function inRange(summaries: readonly GenerationSummary[], range: GenerationRange): GenerationSummary[] {
  return summaries.filter((g) => (range.from === undefined || g.generation >= range.from) && (range.to === undefined || g.generation <= range.to));
}

/** What survives hiding and reloading (webview getState/setState): the user's choices and the shown run's figures. */
export interface PersistedState {
  tab: Tab;
  range: GenerationRange;
  agent?: string;
  paused: boolean;
  run?: RunData;
}

/**
 * The run is kept only while it is small (its summaries, without the per-agent rows): serialising a long history on
 * every save would cost more than the snapshot the extension sends anyway when the panel comes back.
 */
export const PERSIST_MAX_GENERATIONS = 200;

export function toPersisted(state: PanelState): PersistedState {
  // Without the per-agent rows: the Agents tab asks for them again.
  const run = state.run && state.run.summaries.length <= PERSIST_MAX_GENERATIONS ? { ...state.run, agents: undefined } : undefined;
  return { tab: state.tab, range: state.range, agent: state.agent, paused: state.paused, run };
}

/** The state to start from after a reload; anything unexpected in the stored value is ignored, not trusted. */
export function fromPersisted(saved: unknown): PanelState {
  const state = initialState();
  if (typeof saved !== "object" || saved === null) return state;
  const s = saved as Partial<PersistedState>;
  return {
    ...state,
    tab: TABS.includes(s.tab as Tab) ? (s.tab as Tab) : "charts",
    range: { from: finiteOrUndefined(s.range?.from), to: finiteOrUndefined(s.range?.to) },
    agent: typeof s.agent === "string" ? s.agent : undefined,
    paused: s.paused === true,
    run: s.run && Array.isArray(s.run.summaries) ? s.run : undefined,
  };
}

function finiteOrUndefined(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function upsertGeneration(list: readonly GenerationSummary[], summary: GenerationSummary): GenerationSummary[] {
  const last = list.at(-1);
  if (!last || last.generation < summary.generation) return [...list, summary];
  return [...list.filter((g) => g.generation !== summary.generation), summary].sort((a, b) => a.generation - b.generation);
}

function upsertAgents(list: readonly AgentGeneration[], generation: number, rows: readonly AgentGeneration[]): AgentGeneration[] {
  // A new generation (the live case) only appends; a generation sent again replaces its rows.
  if ((list.at(-1)?.generation ?? -1) < generation && !list.some((a) => a.generation === generation)) return list.concat(rows);
  return [...list.filter((a) => a.generation !== generation), ...rows];
}

function countGeneration(runs: readonly RunListing[], runId: string, generation: number): RunListing[] {
  return runs.map((r) => (r.runId === runId ? { ...r, generations: Math.max(r.generations, generation + 1) } : r));
}

function mergeEntries(current: readonly PanelEntry[], incoming: readonly PanelEntry[]): PanelEntry[] {
  // An entry sent again (e.g. newly archived) replaces the old one in place; new ones go at the end.
  const byId = new Map(incoming.map((e) => [e.id, e]));
  const updated = current.map((e) => {
    const next = byId.get(e.id);
    byId.delete(e.id);
    return next ?? e;
  });
  return capEntries([...updated, ...byId.values()]);
}

function capEntries(entries: PanelEntry[]): PanelEntry[] {
  return entries.length > MAX_ENTRIES ? entries.slice(-MAX_ENTRIES) : entries;
}
