// Every message between a client (CLI, editor) and the engine process, declared once and imported by both
// sides. Requests go client → engine and answer; notifications go engine → client. To add a method, declare it
// here and register a handler in the engine (see runtimeHandlers.ts); the client calls it with `request`.
import { NotificationType, RequestType } from "vscode-jsonrpc/node";
import type { AccountingSnapshot, CallUsage } from "../runtime/accounting";
import type { JsonSchema } from "../runtime/jsonOutput";
import type { FoundModel } from "../runtime/modelDiscovery";
import type { SessionProgress } from "../report/sessionProgress";
import type { DownloadProgress } from "../runtime/modelSources";
import type { JsonResult, TextResult } from "../runtime/runtime";
import type { AgentSpecInput, RuntimeConfigInput } from "../runtime/runtimeConfig";
import type { RuntimeManifest } from "../runtime/runtimeManifest";
import type { AgentGeneration } from "../report/agentGeneration";
import type { GenerationSummary, RunSummary } from "../report/runSummary";
import type { NoticeLevel } from "../loop/notice";

export type { AgentGeneration };

/** Data carried by an error response: a CultureLabError's code and hint, rebuilt on the client. */
export interface EngineErrorData {
  code: string;
  hint?: string;
}

export interface EngineInfo {
  pid: number;
  node: string;
  nodeLlamaCpp: string;
}

// ── engine ──────────────────────────────────────────────────────────────────────────────────────────────────
export const engineHello = new RequestType<Record<string, never>, EngineInfo, EngineErrorData>("engine/hello");
/** Close everything and exit the process. */
export const engineShutdown = new RequestType<Record<string, never>, null, EngineErrorData>("engine/shutdown");
export const engineLog = new NotificationType<{ level: "error" | "warn" | "info"; message: string }>("engine/log");
/** Sent every HEARTBEAT_MS while the engine's event loop runs, so a client can tell a suspended engine from a busy one. */
export const engineHeartbeat = new NotificationType<{ at: number }>("engine/heartbeat");
export const HEARTBEAT_MS = 1000;

// ── model runtime ───────────────────────────────────────────────────────────────────────────────────────────
/** Opens the session's runtime (one per engine); answers with the manifest so far. */
export const runtimeOpen = new RequestType<{ config: RuntimeConfigInput; cwd?: string }, RuntimeManifest, EngineErrorData>("runtime/open");
export const runtimeAddAgent = new RequestType<{ spec: AgentSpecInput }, { id: string }, EngineErrorData>("runtime/addAgent");
export const runtimeGenerateText = new RequestType<{ agentId: string; prompt: string; maxTokens?: number }, TextResult, EngineErrorData>("runtime/generateText");
export const runtimeGenerateJson = new RequestType<
  { agentId: string; prompt: string; schema: JsonSchema; grammar?: boolean; maxTokens?: number },
  JsonResult<unknown>,
  EngineErrorData
>("runtime/generateJson");
export const runtimeEmbed = new RequestType<{ texts: string[] }, { vectors: number[][] }, EngineErrorData>("runtime/embed");
export const runtimeAccounting = new RequestType<Record<string, never>, AccountingSnapshot, EngineErrorData>("runtime/accounting");
export const runtimeManifest = new RequestType<Record<string, never>, RuntimeManifest, EngineErrorData>("runtime/manifest");
export const runtimeClose = new RequestType<Record<string, never>, null, EngineErrorData>("runtime/close");
export const modelsList = new RequestType<{ modelsDir?: string; extraDirs?: string[] }, FoundModel[], EngineErrorData>("models/list");

/** After every finished model call: feeds the panel's compute chart. */
export const runtimeCallFinished = new NotificationType<CallUsage>("runtime/callFinished");
export const runtimeDownloadProgress = new NotificationType<DownloadProgress>("runtime/downloadProgress");

// ── culture-loop session ────────────────────────────────────────────────────────────────────────────────────
export interface SessionRunParams {
  workspaceDir: string;
  /** The loop configuration as the user wrote it; the engine checks it at the door. */
  config: unknown;
  /** Where `config` came from, for error messages (a file path, or "the defaults"). */
  configSource: string;
  /** The user named the model: never fall back to the tiny model. */
  modelNamed: boolean;
}
export interface SessionRunResult {
  runId: string;
  reportPath: string;
  summary: RunSummary;
}
/** Runs a whole session in the engine; cancel the request to stop it after the current call. */
export const sessionRun = new RequestType<SessionRunParams, SessionRunResult, EngineErrorData>("session/run");
/** After every generation's commit: what the panel and the CLI show. */
export const sessionGeneration = new NotificationType<GenerationSummary>("session/generation");
/**
 * A message for the user. "warning": they must read it (e.g. that the tiny model replaces an unreachable
 * recommended one); "info": what the run is (its plan, threads, llama.cpp build), for the log and the CLI.
 */
export const sessionNotice = new NotificationType<{ message: string; level: NoticeLevel }>("session/notice");

/** An experiment: conditions × seeds, each a session on its own knowledge base, then the comparison. */
export interface ExperimentRunParams {
  workspaceDir: string;
  /** The knowledge-base folder the experiment is filed under (".culture" unless configured). */
  folder?: string;
  /** The experiment file's content, checked in the engine (see agents/experiment/experimentConfig.ts). */
  experiment: unknown;
  /** Where it came from, for problems and the report. */
  source: string;
  /** The user named a model: never replace it with the tiny one. */
  modelNamed: boolean;
}
export interface ExperimentRunResult {
  experimentId: string;
  dir: string;
  reportPath: string;
  verdicts: string[];
  finished: number;
  planned: number;
}
/** Runs a whole experiment in the engine; cancel the request to stop it after the current call. */
export const experimentRun = new RequestType<ExperimentRunParams, ExperimentRunResult, EngineErrorData>("experiment/run");

// ── session control and status (the editor's status bar, tree view and Stop button) ─────────────────────────
export type SessionState = "idle" | "starting" | "running" | "paused" | "stopping";
export interface SessionStatus {
  state: SessionState;
  workspaceDir?: string;
  runId?: string;
  model?: string;
  /** The generation in play (absolute number in the knowledge base) and the range this session plays. */
  generation?: number;
  firstGeneration?: number;
  generations?: number;
  /** Generations of this session already committed. */
  generationsDone: number;
  /** Model calls finished in this session, and their completion tokens. */
  calls: number;
  completionTokens: number;
  /** Completion tokens per second over the last finished calls (wall time of the calls, not of the session). */
  tokensPerSecond?: number;
  collapseAlarm: boolean;
  /** The phase in play inside the generation, its calls and the time left (absent until the first phase). */
  progress?: SessionProgress;
  startedAt?: string;
  /** When the engine last saw the session make progress (a call or a generation): a stalled run shows. */
  lastEventAt?: string;
}
export interface AgentStatus {
  id: string;
  persona: string;
  bornGeneration: number;
  retiredGeneration?: number;
  /** Its backend and model ("tiny (local)", "m at http://… (server)"), from the running session's manifest. */
  model?: string;
  /** Model calls this session, by role (proposer, solver, writer, librarian, probe). */
  roles: Record<string, number>;
  completionTokens: number;
  /** Play attempts in the whole knowledge base (held-out evaluation excluded) and how many were correct. */
  attempts: number;
  solved: number;
  notesWritten: number;
}
export const sessionStatus = new RequestType<Record<string, never>, SessionStatus, EngineErrorData>("session/status");
/** Sent on every change of state, after every generation and at most once a second while calls finish. */
export const sessionStatusChanged = new NotificationType<SessionStatus>("session/statusChanged");
/** Stops the running session after its current model calls; answers once nothing runs. */
export const sessionCancel = new RequestType<Record<string, never>, { wasRunning: boolean }, EngineErrorData>("session/cancel");
/** Holds every agent before its next model call until resumed. */
export const sessionPause = new RequestType<Record<string, never>, SessionStatus, EngineErrorData>("session/pause");
export const sessionResume = new RequestType<Record<string, never>, SessionStatus, EngineErrorData>("session/resume");
export const sessionAgents = new RequestType<WorkspaceRef, AgentStatus[], EngineErrorData>("session/agents");

// ── the knowledge base, read-only (a running session keeps writing it) ────────────────────────────────────
/** A workspace and its knowledge-base folder inside it (".culture" unless configured). */
export interface WorkspaceRef {
  workspaceDir: string;
  folder?: string;
}
export interface EntryInfo {
  id: string;
  kind: "note" | "chapter" | "problem" | "human";
  author: string;
  generation: number;
  title: string;
  /** The text, cut at `maxChars` of the request when longer (`truncated` then says how much was cut). */
  text: string;
  truncated: number;
  cites: string[];
  createdAt: string;
  archived: boolean;
  /** Where a person reads it: NOTES.md or an archive page (absolute path), at the HTML anchor of this id. */
  location: { file: string; anchor: string };
}
export interface KbStatusInfo {
  folder: string;
  exists: boolean;
  entries: number;
  byKind: Record<string, number>;
  archived: number;
  round: number;
  generations: number;
  /** The process writing it now, if any, and whether that process is alive on this host. */
  writer?: { pid: number; host: string; startedAt: string; alive: boolean | "unknown" };
}
export const kbStatus = new RequestType<WorkspaceRef, KbStatusInfo, EngineErrorData>("kb/status");
export const kbNewest = new RequestType<WorkspaceRef & { limit: number; kinds?: EntryInfo["kind"][]; maxChars?: number }, EntryInfo[], EngineErrorData>("kb/newest");
export const kbEntry = new RequestType<WorkspaceRef & { id: string }, EntryInfo, EngineErrorData>("kb/entry");
export const kbSearch = new RequestType<WorkspaceRef & { query: string; k?: number; maxChars?: number }, EntryInfo[], EngineErrorData>("kb/search");
/** Appends a note to the "Human notes" section of NOTES.md; the next round of a session ingests it. */
export const notesAddHuman = new RequestType<WorkspaceRef & { title: string; text: string }, { notesPath: string; line: number }, EngineErrorData>("notes/addHuman");

// ── run records ─────────────────────────────────────────────────────────────────────────────────────────────
export interface RunInfo {
  runId: string;
  startedAt: string;
  model: string;
  /** Generations committed by this run. */
  generations: number;
  /** Planned generations, from the recorded configuration. */
  plannedGenerations: number;
  /** One line: accumulation, collapse, or neither, from the last evaluation and the alarms. */
  verdict: string;
  collapseAlarm: boolean;
  reportPath?: string;
  dir: string;
}
export interface RunDetail {
  info: RunInfo;
  config: unknown;
  generations: GenerationSummary[];
  agents: AgentGeneration[];
  /** The model's parameter count from the run's manifest (the FLOPs estimate uses it); absent when unknown. */
  modelParameters?: number;
  /** Statements a reader must see first (e.g. that the tiny model's output is noise). */
  caveats: string[];
  calls: number;
}
export const runsList = new RequestType<WorkspaceRef, RunInfo[], EngineErrorData>("runs/list");
export const runsGet = new RequestType<WorkspaceRef & { runId: string }, RunDetail, EngineErrorData>("runs/get");
/** Writes calls.jsonl, generations.jsonl, series.csv and report.html of a run into `targetDir`. */
export const runsExport = new RequestType<WorkspaceRef & { runId: string; targetDir: string }, { files: string[] }, EngineErrorData>("runs/export");
export interface ReplayResult {
  diverged: boolean;
  /**
   * The run's manifest says it replays only at best (agents on an inference server, batched decoding): a
   * divergence is expected there and says nothing is wrong with the run.
   */
  divergenceExpected: boolean;
  /** What was found, in words (first divergence, or none). */
  message: string;
  warnings: string[];
  replayDir?: string;
}
/** Re-runs a recorded run in a temporary copy of the knowledge base as it was; cancel to stop it. */
export const runsReplay = new RequestType<WorkspaceRef & { runId: string; keep?: boolean }, ReplayResult, EngineErrorData>("runs/replay");

// ── models ──────────────────────────────────────────────────────────────────────────────────────────────────
/** Downloads (or finds) a model reference into the models folder; progress comes as runtime/downloadProgress. */
export const modelsDownload = new RequestType<{ model: string; modelsDir?: string }, { path: string }, EngineErrorData>("models/download");
