// Every message between a client (CLI, editor) and the engine process, declared once and imported by both
// sides. Requests go client → engine and answer; notifications go engine → client. To add a method, declare it
// here and register a handler in the engine (see runtimeHandlers.ts); the client calls it with `request`.
import { NotificationType, RequestType } from "vscode-jsonrpc/node";
import type { AccountingSnapshot, CallUsage } from "../runtime/accounting";
import type { JsonSchema } from "../runtime/jsonOutput";
import type { FoundModel } from "../runtime/modelDiscovery";
import type { DownloadProgress } from "../runtime/modelSources";
import type { JsonResult, TextResult } from "../runtime/runtime";
import type { AgentSpecInput, RuntimeConfigInput } from "../runtime/runtimeConfig";
import type { SessionManifest } from "../runtime/sessionManifest";
import type { GenerationSummary, RunSummary } from "../report/runSummary";

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
export const runtimeOpen = new RequestType<{ config: RuntimeConfigInput; cwd?: string }, SessionManifest, EngineErrorData>("runtime/open");
export const runtimeAddAgent = new RequestType<{ spec: AgentSpecInput }, { id: string }, EngineErrorData>("runtime/addAgent");
export const runtimeGenerateText = new RequestType<{ agentId: string; prompt: string; maxTokens?: number }, TextResult, EngineErrorData>("runtime/generateText");
export const runtimeGenerateJson = new RequestType<
  { agentId: string; prompt: string; schema: JsonSchema; grammar?: boolean; maxTokens?: number },
  JsonResult<unknown>,
  EngineErrorData
>("runtime/generateJson");
export const runtimeEmbed = new RequestType<{ texts: string[] }, { vectors: number[][] }, EngineErrorData>("runtime/embed");
export const runtimeAccounting = new RequestType<Record<string, never>, AccountingSnapshot, EngineErrorData>("runtime/accounting");
export const runtimeManifest = new RequestType<Record<string, never>, SessionManifest, EngineErrorData>("runtime/manifest");
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
/** A message the user must read (e.g. that the tiny model replaces an unreachable recommended one). */
export const sessionNotice = new NotificationType<{ message: string }>("session/notice");
