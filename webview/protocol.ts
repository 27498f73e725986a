// Every message between the extension host and the metrics panel (a webview), declared once and imported by both
// sides. `ToPanel` goes extension → panel, `FromPanel` goes panel → extension; the extension checks everything
// that comes from the panel with `parsePanelRequest` before acting on it. Plain data only: these cross postMessage.
import type { AgentGeneration } from "../agents/report/agentGeneration";
import type { GenerationSummary } from "../agents/report/runSummary";

export type { AgentGeneration, GenerationSummary };

/** An entry as the panel sees it: the knowledge base's Entry without embedding and data (wire type, plain data). */
export interface PanelEntry {
  id: string;
  kind: "note" | "chapter" | "problem" | "human";
  author: string;
  generation: number;
  title: string;
  /** Untrusted agent text: the panel renders it as text only. */
  text: string;
  cites: string[];
  createdAt: string;
  archived: boolean;
  /** Characters cut from `text` by the sender (kb/newest maxChars), when it was cut. */
  truncated?: number;
  /** For problems: how play went, in words (e.g. "solved 2 of 4"), when the extension knows it. */
  verdict?: string;
}

/** A past or current run of the workspace (from `.culture/runs/<id>/manifest.json` and its generations). */
export interface RunListing {
  runId: string;
  startedAt: string;
  model: string;
  generations: number;
  /** One line: accumulation, collapse or neither (engine RunInfo.verdict). */
  verdict?: string;
  /** The run's parsed configuration, for the compare table (or in RunData). */
  config?: unknown;
}

/** A run's figures: what the charts draw. */
export interface RunData {
  runId: string;
  summaries: GenerationSummary[];
  /**
   * Per-agent rows, 8 a generation for 8 agents: the largest part of a long run's figures, read only by the Agents
   * tab and the JSON export. The snapshot leaves them out (absent, not []), so the first paint does not carry them;
   * the panel asks with `agentRows` when it needs them. `runData` answers carry them.
   */
  agents?: AgentGeneration[];
  /** Statements the reader must see first (e.g. that the tiny model's output is noise). */
  caveats: string[];
  /** The run's parsed configuration (engine RunDetail.config), for the compare table. */
  config?: unknown;
  /** The model's parameter count from the run's manifest, behind the FLOPs estimate; absent when unknown. */
  modelParameters?: number;
}

/** The engine's session states (agents/engine/protocol.ts SessionState), plus how the last session ended. */
export type SessionPhase = "idle" | "starting" | "running" | "paused" | "stopping" | "finished" | "failed";
export interface SessionState {
  phase: SessionPhase;
  runId?: string;
  /** The generation in play (its number in the knowledge base), the session's first one, and how many it plays. */
  generation?: number;
  firstGeneration?: number;
  generations?: number;
  /** Completion tokens per second over the last finished calls. */
  tokensPerSecond?: number;
  /** A sentence for the user (e.g. the error that ended the session). */
  message?: string;
}

/**
 * The snapshot carries the knowledge base's newest entries only, however many it holds (100,000 in bench:panel): the
 * feed shows 100 and the lineage 120, whose citation counts are exact from the newest entries alone (an entry can
 * only be cited by newer ones). Copying every entry into the page would cost seconds before the first paint.
 */
export const SNAPSHOT_ENTRIES = 400;
/** Characters of an entry's text sent (the rest is counted in `truncated`; the whole entry opens in NOTES.md). */
export const SNAPSHOT_ENTRY_CHARS = 2000;

// ── extension → panel ───────────────────────────────────────────────────────────────────────────────────────
export type ToPanel =
  /** Everything the panel draws, sent on `ready`, on becoming visible again, and on resuming live updates. */
  | {
      type: "snapshot";
      runs: RunListing[];
      /** The run shown (the live one while a session runs), or none when the workspace has no run yet. */
      run?: RunData;
      /** The newest entries, newest last, for the feed and the lineage graph (the extension caps the count). */
      entries: PanelEntry[];
      session: SessionState;
      /** Epoch milliseconds of the engine's last notification, for "last event 3 s ago". */
      lastEventAt?: number;
    }
  /** A generation committed in the live run (engine notification `session/generation`); `agents` may be [] when unknown. */
  | { type: "generation"; runId: string; summary: GenerationSummary; agents: AgentGeneration[]; at: number }
  /** Entries written since the last message (new, or newly archived: same id replaces). */
  | { type: "entries"; entries: PanelEntry[]; at: number }
  | { type: "session"; session: SessionState; at: number }
  /** Answer to `pickRun` / `compareRuns`. */
  | { type: "runData"; run: RunData; role: "main" | "compare" }
  /** Answer to `agentRows`: every per-agent row of the run so far. */
  | { type: "agentRows"; runId: string; agents: AgentGeneration[] };

// ── panel → extension ───────────────────────────────────────────────────────────────────────────────────────
export type FromPanel =
  /** The page has loaded and listens: send a snapshot. */
  | { type: "ready" }
  /** Open NOTES.md at the entry's anchor `kb-<id>`. */
  | { type: "openEntry"; id: string }
  /** Show another run (answered with `runData` role "main"). */
  | { type: "pickRun"; runId: string }
  /** Overlay a second run (answered with `runData` role "compare"); no runId ends the comparison. */
  | { type: "compareRuns"; runId?: string }
  /** Save what the panel built (every series of the shown runs) through a save dialog. */
  | { type: "export"; format: "csv" | "json"; fileName: string; content: string }
  /** Stop or restart sending live messages; on resume the extension sends a snapshot. */
  | { type: "liveUpdates"; paused: boolean }
  /** Send the run's per-agent rows, which the snapshot leaves out (answered with `agentRows`). */
  | { type: "agentRows"; runId: string };

export const EXPORT_MAX_CHARS = 64 * 1024 * 1024;
const ENTRY_ID = /^[a-z]-[0-9a-z]{1,12}$/;
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;
const FILE_NAME = /^[\w.-]{1,120}\.(csv|json)$/;

/** Thrown at the door when a message from the panel is not one of FromPanel. */
export class PanelMessageError extends Error {
  override name = "PanelMessageError";
}

/** Checks a message that came from the panel; returns it typed, or throws a PanelMessageError saying what is wrong. */
export function parsePanelRequest(raw: unknown): FromPanel {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new PanelMessageError("a panel message must be an object");
  const m = raw as Record<string, unknown>;
  const str = (key: string, pattern: RegExp): string => {
    const v = m[key];
    if (typeof v !== "string" || !pattern.test(v)) throw new PanelMessageError(`panel message '${String(m.type)}': '${key}' is not valid`);
    return v;
  };
  switch (m.type) {
    case "ready":
      return { type: "ready" };
    case "openEntry":
      return { type: "openEntry", id: str("id", ENTRY_ID) };
    case "pickRun":
      return { type: "pickRun", runId: str("runId", RUN_ID) };
    case "compareRuns":
      return m.runId === undefined ? { type: "compareRuns" } : { type: "compareRuns", runId: str("runId", RUN_ID) };
    case "export": {
      if (m.format !== "csv" && m.format !== "json") throw new PanelMessageError("panel message 'export': format must be csv or json");
      const fileName = str("fileName", FILE_NAME);
      if (!fileName.endsWith(`.${m.format}`)) throw new PanelMessageError("panel message 'export': the file name must end with the format");
      if (typeof m.content !== "string" || m.content.length > EXPORT_MAX_CHARS) {
        throw new PanelMessageError(`panel message 'export': content must be a string of at most ${EXPORT_MAX_CHARS} characters`);
      }
      return { type: "export", format: m.format, fileName, content: m.content };
    }
    case "agentRows":
      return { type: "agentRows", runId: str("runId", RUN_ID) };
    case "liveUpdates":
      if (typeof m.paused !== "boolean") throw new PanelMessageError("panel message 'liveUpdates': 'paused' must be true or false");
      return { type: "liveUpdates", paused: m.paused };
    default:
      throw new PanelMessageError(`unknown panel message type '${String(m.type)}'`);
  }
}
