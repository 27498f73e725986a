// The runs of a workspace as a person browses them: each `.culture/runs/<id>/` folder with its manifest, the
// generation records the run committed to the knowledge base, a one-line verdict, and an export of everything
// (calls, generations, every per-generation series as CSV, the report) into a folder of the user's choice.
import { copyFile, mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import type { Attempt } from "../../workspace-kb/schema";
import type { RunDetail, RunInfo } from "../engine/protocol";
import type { AgentGeneration } from "./agentGeneration";
import { NOISE_CAVEAT } from "../loop/modelSession";
import { readRun, readRunManifest, runDirectory, type CallRecord, type RunManifest } from "../loop/runRecorder";
import { isRandomWeightModel } from "../gguf/randomLlama";
import { renderHtmlReport } from "./htmlReport";
import type { GenerationSummary, RunSummary } from "./runSummary";

/** Every run recorded in the workspace, newest first. */
export async function listRuns(cultureDir: string, kb: KnowledgeBase | undefined): Promise<RunInfo[]> {
  const runsDir = join(cultureDir, "runs");
  if (!existsSync(runsDir)) return [];
  const byRun = generationsByRun(kb);
  const runs: RunInfo[] = [];
  for (const name of await readdir(runsDir)) {
    const dir = join(runsDir, name);
    if (!(await stat(dir)).isDirectory() || !existsSync(join(dir, "manifest.json"))) continue;
    try {
      runs.push(runInfo(dir, readRunManifest(cultureDir, name), byRun.get(name) ?? []));
    } catch {
      // A damaged record is listed by name so the user can see it is there.
      runs.push({ runId: name, startedAt: "", model: "?", generations: 0, plannedGenerations: 0, verdict: "the run record is damaged", collapseAlarm: false, dir });
    }
  }
  return runs.sort((a, b) => b.runId.localeCompare(a.runId));
}

export async function runDetail(cultureDir: string, runId: string, kb: KnowledgeBase | undefined): Promise<RunDetail> {
  const run = readRun(cultureDir, runId);
  const generations = generationsByRun(kb).get(runId) ?? [];
  const played = new Set(generations.map((g) => g.generation));
  const attempts = (kb?.attempts() ?? []).filter((a) => played.has(a.generation));
  const parameters = modelParameters(run.manifest);
  return {
    info: runInfo(runDirectory(cultureDir, runId), run.manifest, generations),
    config: run.manifest.config,
    generations,
    agents: withModels(agentGenerations(run.calls, attempts, parameters), run.manifest.agents),
    ...(parameters === undefined ? {} : { modelParameters: parameters }),
    caveats: modelOfManifest(run.manifest).isNoise ? [NOISE_CAVEAT] : [],
    calls: run.calls.length,
  };
}

/** The parameter count the runtime recorded for the run's (first) model, when it is a positive number. */
export function modelParameters(manifest: Pick<RunManifest, "models">): number | undefined {
  const parameters = (manifest.models[0] as { parameters?: unknown } | undefined)?.parameters;
  return typeof parameters === "number" && Number.isFinite(parameters) && parameters > 0 ? parameters : undefined;
}

/**
 * Per agent and generation: the calls it made (roles, tokens, time) and its play attempts; held-out evaluation
 * attempts (data.heldOut) measure the bank, not play, and are left out. With the model's parameter count, each row
 * also estimates its FLOPs as 2 × parameters × (prompt + completion tokens) — the forward-pass rule of thumb, with
 * prompt tokens counted in full (calls.jsonl does not say which were reused), so an upper estimate.
 * Used by the engine and the panel's fixtures.
 */
export function agentGenerations(
  calls: readonly Pick<CallRecord, "agentId" | "generation" | "role" | "promptTokens" | "completionTokens" | "ms">[],
  attempts: readonly Pick<Attempt, "agentId" | "problemId" | "generation" | "correct" | "data">[],
  parameters?: number,
): AgentGeneration[] {
  const rows = new Map<string, AgentGeneration>();
  const row = (agentId: string, generation: number) => {
    const key = `${generation}\u0000${agentId}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { agentId, generation, roles: [], calls: 0, completionTokens: 0, callMs: 0, attempts: 0, solved: 0, promptTokens: 0 }));
    return r;
  };
  for (const c of calls) {
    const r = row(c.agentId, c.generation);
    if (!r.roles.includes(c.role)) r.roles.push(c.role);
    r.calls++;
    r.promptTokens += c.promptTokens;
    r.completionTokens += c.completionTokens;
    r.callMs += c.ms;
  }
  for (const a of attempts) {
    if ((a.data as { heldOut?: unknown } | undefined)?.heldOut === true) continue;
    const r = row(a.agentId, a.generation);
    r.attempts++;
    if (a.correct) r.solved++;
  }
  if (parameters !== undefined) for (const r of rows.values()) r.flops = 2 * parameters * (r.promptTokens + r.completionTokens);
  return [...rows.values()].sort((a, b) => a.generation - b.generation || a.agentId.localeCompare(b.agentId, "en", { numeric: true }));
}

/** Names each row's model from the run manifest's per-agent entries (runs before mixed populations have none). */
export function withModels(rows: AgentGeneration[], manifestAgents: readonly unknown[] | undefined): AgentGeneration[] {
  const models = agentModels(manifestAgents);
  return rows.map((r) => (models.has(r.agentId) ? { ...r, model: models.get(r.agentId) } : r));
}

/** Each agent's backend and model, by agent id, from a run manifest's per-agent entries ("tiny (local)", "m at http://… (server)"). */
export function agentModels(manifestAgents: readonly unknown[] | undefined): Map<string, string> {
  const models = new Map<string, string>();
  for (const a of (manifestAgents ?? []) as Array<{ id?: string; backend?: string; model?: string; baseUrl?: string }>) {
    if (typeof a.id === "string" && typeof a.model === "string") models.set(a.id, a.backend === "openai" ? `${a.model} at ${a.baseUrl} (server)` : `${a.model} (local)`);
  }
  return models;
}

/** Writes the run's records into `targetDir` and returns the files written. */
export async function exportRun(cultureDir: string, runId: string, kb: KnowledgeBase | undefined, targetDir: string): Promise<string[]> {
  const detail = await runDetail(cultureDir, runId, kb);
  const dir = runDirectory(cultureDir, runId);
  await mkdir(targetDir, { recursive: true });
  const files: string[] = [];
  const out = (name: string) => {
    const path = join(targetDir, `${runId}-${name}`);
    files.push(path);
    return path;
  };
  if (existsSync(join(dir, "calls.jsonl"))) await copyFile(join(dir, "calls.jsonl"), out("calls.jsonl"));
  await copyFile(join(dir, "manifest.json"), out("manifest.json"));
  await writeFile(out("generations.jsonl"), detail.generations.map((g) => JSON.stringify(g)).join("\n") + (detail.generations.length ? "\n" : ""));
  await writeFile(out("series.csv"), seriesCsv(detail.generations));
  const reportPath = join(dir, "report.html");
  if (existsSync(reportPath)) await copyFile(reportPath, out("report.html"));
  else await writeFile(out("report.html"), renderHtmlReport(summaryOf(detail)));
  return files;
}

/** One row per generation, one column per figure (nested figures flattened with dots); empty when unmeasured. */
export function seriesCsv(generations: readonly GenerationSummary[]): string {
  const rows = generations.map((g) => flatten(g as unknown as Record<string, unknown>));
  const columns = [...new Set(rows.flatMap((r) => [...r.keys()]))];
  const cell = (v: unknown) => {
    if (v === undefined || v === null || (typeof v === "number" && !Number.isFinite(v))) return "";
    const text = String(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r.get(c))).join(","))].join("\n") + "\n";
}

function flatten(value: Record<string, unknown>, prefix = "", into = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) flatten(v as Record<string, unknown>, name, into);
    else if (!Array.isArray(v)) into.set(name, v);
  }
  return into;
}

/** The generation records one run committed, in order. */
export function runGenerations(kb: KnowledgeBase | undefined, runId: string): GenerationSummary[] {
  return generationsByRun(kb).get(runId) ?? [];
}

function generationsByRun(kb: KnowledgeBase | undefined): Map<string, GenerationSummary[]> {
  const byRun = new Map<string, GenerationSummary[]>();
  for (const g of kb?.generations() ?? []) {
    const data = g.data as (GenerationSummary & { runId?: string; rewards?: unknown; refused?: unknown }) | undefined;
    if (!data || typeof data.runId !== "string") continue;
    // The record also keeps the proposers' rewards and the refused proposals, which are not per-generation figures.
    const { runId, rewards: _rewards, refused: _refused, ...summary } = data;
    const list = byRun.get(runId) ?? [];
    list.push({ ...summary, generation: g.generation });
    byRun.set(runId, list);
  }
  for (const list of byRun.values()) list.sort((a, b) => a.generation - b.generation);
  return byRun;
}

function runInfo(dir: string, manifest: RunManifest, generations: GenerationSummary[]): RunInfo {
  const config = (manifest.config ?? {}) as { generations?: number };
  const first = manifest.models[0] as { name?: string; path?: string } | undefined;
  const model = first?.name ?? (first?.path ? basename(first.path) : "?");
  const reportPath = join(dir, "report.html");
  return {
    runId: manifest.runId,
    startedAt: manifest.startedAt,
    model,
    generations: generations.length,
    plannedGenerations: config.generations ?? 0,
    verdict: oneLineVerdict(generations),
    collapseAlarm: generations.some((g) => g.collapseAlarm),
    reportPath: existsSync(reportPath) ? reportPath : undefined,
    dir,
  };
}

/** The report's verdict in one line: accumulation first (it needs an interval above zero), then collapse. */
export function oneLineVerdict(generations: readonly GenerationSummary[]): string {
  if (generations.length === 0) return "no generation finished";
  const last = [...generations].reverse().find((g) => g.evaluation)?.evaluation;
  const alarm = generations.filter((g) => g.collapseAlarm).map((g) => g.generation);
  const parts: string[] = [];
  if (!last) parts.push("not evaluated yet");
  else if (last.gainLow > 0) parts.push(`accumulating (gain ${signed(last.gain)}, 95% CI ${signed(last.gainLow)}..${signed(last.gainHigh)})`);
  else if (last.gainHigh < 0) parts.push(`the knowledge base hurt (gain ${signed(last.gain)})`);
  else parts.push(`no measurable effect (gain ${signed(last.gain)}, CI includes 0)`);
  if (alarm.length > 0) parts.push(`collapse alarm at gen ${alarm[0]}${alarm.length > 1 ? ` (+${alarm.length - 1})` : ""}`);
  return parts.join("; ");
}

function summaryOf(detail: RunDetail): RunSummary {
  return {
    runId: detail.info.runId,
    startedAt: detail.info.startedAt,
    model: { name: detail.info.model, sha256: "", parameters: 0, isNoise: isRandomWeightModel(detail.info.model) },
    caveats: ["This report was rebuilt from the run's records; the run did not finish, so figures stop at its last committed generation."],
    generations: detail.generations,
  };
}

/** The model a run used, as its report describes it, from the manifest the run wrote when it began. */
export function modelOfManifest(manifest: RunManifest): RunSummary["model"] {
  const first = manifest.models[0] as { name?: string; path?: string; sha256?: string; parameters?: number } | undefined;
  const name = first?.name ?? (first?.path ? basename(first.path) : "?");
  return { name, sha256: first?.sha256 ?? "", parameters: first?.parameters ?? 0, isNoise: isRandomWeightModel(first?.name) };
}

function signed(v: number): string {
  return `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)}`;
}
