// The engine's read side of a workspace, for the editor's tree view and panel and for the CLI: the knowledge
// base (opened read-only per request, so a running session keeps writing), the run records, replay, the
// human-notes door, and model downloads.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import type { MessageConnection } from "vscode-jsonrpc/node";
import { CultureLabError } from "../../workspace-kb/errors";
import { addHumanNote } from "../../workspace-kb/humanNoteWriter";
import { kbPaths, openKnowledgeBaseReadOnly, type KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import type { Entry } from "../../workspace-kb/schema";
import { isAlive, readOwner } from "../../workspace-kb/sessionLock";
import { loopConfigSchema } from "../loop/loopConfig";
import { replayRun } from "../loop/replayRun";
import { agentModels, exportRun, listRuns, runDetail } from "../report/runRecords";
import { readRunManifest } from "../loop/runRecorder";
import { resolveModelReference } from "../runtime/modelSources";
import { defaultModelsDir } from "../runtime/runtimeConfig";
import type { EngineHandlers } from "./engineHandlers";
import {
  kbEntry, kbNewest, kbSearch, kbStatus, modelsDownload, notesAddHuman, runsExport, runsGet, runsList, runsReplay, runtimeDownloadProgress,
  sessionAgents,
} from "./protocol";
import type { AgentStatus, EntryInfo, WorkspaceRef } from "./protocol";
import type { SessionHost } from "./sessionHost";

const DEFAULT_MAX_CHARS = 2000;

export function registerWorkspaceHandlers(connection: MessageConnection, handle: EngineHandlers, host: SessionHost): void {
  handle(kbStatus, async (ref) => {
    const paths = pathsOf(ref);
    const owner = await readOwner(`${paths.folder}/session.owner.json`).catch(() => undefined);
    const writer = owner ? { ...owner, alive: owner.host === hostname() ? isAlive(owner.pid) : ("unknown" as const) } : undefined;
    if (!existsSync(paths.kbJson) && !existsSync(paths.events)) {
      return { folder: paths.folder, exists: false, entries: 0, byKind: {}, archived: 0, round: 0, generations: 0, writer };
    }
    return withKb(ref, (kb) => {
      const all = kb.entries({ includeArchived: true });
      const byKind: Record<string, number> = {};
      for (const e of all) byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
      return { folder: paths.folder, exists: true, entries: all.length, byKind, archived: all.filter((e) => e.archived).length, round: kb.round, generations: kb.generations().length, writer };
    });
  });
  handle(kbNewest, ({ limit, kinds, maxChars, ...ref }) =>
    withKb(ref, (kb) => kb.entries({ kinds, includeArchived: true }).slice(-Math.max(0, Math.min(limit, 1000))).reverse().map((e) => entryInfo(kb, e, maxChars))),
  );
  handle(kbEntry, ({ id, ...ref }) =>
    withKb(ref, (kb) => {
      const entry = kb.get(id);
      if (!entry) throw new CultureLabError("entry-missing", `No entry '${id}' in the knowledge base.`, "Entry ids look like n-1a (note), c-2 (chapter), p-3 (problem), h-4 (human note).");
      return entryInfo(kb, entry, Number.MAX_SAFE_INTEGER);
    }),
  );
  handle(kbSearch, ({ query, k, maxChars, ...ref }) =>
    withKb(ref, (kb) => kb.search(query, { k: Math.max(1, Math.min(k ?? 8, 100)) }).map((hit) => entryInfo(kb, hit.entry, maxChars))),
  );
  handle(notesAddHuman, async ({ title, text, ...ref }) => {
    const paths = pathsOf(ref);
    await mkdir(paths.folder, { recursive: true });
    const line = await addHumanNote(paths.notes, { title, text });
    return { notesPath: paths.notes, line };
  });
  handle(sessionAgents, (ref) =>
    withKb(ref, (kb) => {
      const attempts = kb.attempts().filter((a) => !(a.data as { heldOut?: boolean } | undefined)?.heldOut);
      const notes = kb.entries({ kinds: ["note", "chapter"], includeArchived: true });
      const models = runningModels(host, ref);
      return kb.agents().map((agent): AgentStatus => {
        const mine = attempts.filter((a) => a.agentId === agent.id);
        const counts = host.counts(agent.id);
        return {
          id: agent.id,
          persona: agent.persona,
          bornGeneration: agent.bornGeneration,
          ...(agent.retiredGeneration !== undefined ? { retiredGeneration: agent.retiredGeneration } : {}),
          ...(models.has(agent.id) ? { model: models.get(agent.id) } : {}),
          roles: counts.roles,
          completionTokens: counts.completionTokens,
          attempts: mine.length,
          solved: mine.filter((a) => a.correct).length,
          notesWritten: notes.filter((e) => e.author === agent.id).length,
        };
      });
    }),
  );

  handle(runsList, async (ref) => {
    const { folder } = pathsOf(ref);
    if (!existsSync(folder)) return [];
    return existsSync(pathsOf(ref).kbJson) ? withKb(ref, (kb) => listRuns(folder, kb)) : listRuns(folder, undefined);
  });
  handle(runsGet, ({ runId, ...ref }) => withKb(ref, (kb) => runDetail(pathsOf(ref).folder, runId, kb)));
  handle(runsExport, ({ runId, targetDir, ...ref }) =>
    withKb(ref, async (kb) => ({ files: await exportRun(pathsOf(ref).folder, runId, kb, targetDir) })),
  );
  handle(runsReplay, async ({ runId, keep, ...ref }, signal) => {
    if (host.busy) throw new CultureLabError("session-running", "A session is running in this engine; replay after it ends.", "Stop the session or wait for it.");
    return replayRun({ workspaceDir: ref.workspaceDir, folder: checkedFolder(ref.folder), runId, keep, signal });
  });

  handle(modelsDownload, async ({ model, modelsDir }, signal) => {
    const path = await resolveModelReference(model, {
      modelsDir: modelsDir ?? defaultModelsDir(),
      allowDownload: true,
      signal,
      onDownloadProgress: (progress) => void connection.sendNotification(runtimeDownloadProgress, progress),
    });
    return { path };
  });
}

/** The knowledge-base folder a client names: inside the workspace, or refused (the same rule as the configuration's). */
function checkedFolder(folder: string | undefined): string | undefined {
  if (folder === undefined) return undefined;
  const checked = loopConfigSchema.shape.knowledgeBaseFolder.safeParse(folder);
  if (!checked.success) throw new CultureLabError("bad-setting", `The knowledge-base folder '${folder}' is not ${checked.error.issues[0]?.message ?? "valid"}.`, "Set cultureLab.knowledgeBaseFolder to a folder name such as .culture.");
  return checked.data;
}

/** The agents' models of the session running on this workspace; none when none runs or its manifest cannot be read. */
function runningModels(host: SessionHost, ref: WorkspaceRef): Map<string, string> {
  const { runId, workspaceDir, state } = host.current;
  if (state === "idle" || !runId || resolve(workspaceDir ?? "") !== resolve(ref.workspaceDir)) return new Map();
  try {
    return agentModels(readRunManifest(pathsOf(ref).folder, runId).agents);
  } catch {
    return new Map(); // a model name is a nicety: the agents are listed without it
  }
}

function pathsOf(ref: WorkspaceRef) {
  return kbPaths(ref.workspaceDir, checkedFolder(ref.folder));
}

async function withKb<T>(ref: WorkspaceRef, read: (kb: KnowledgeBase) => T | Promise<T>): Promise<T> {
  const kb = await openKnowledgeBaseReadOnly(ref.workspaceDir, { folder: checkedFolder(ref.folder) });
  try {
    return await read(kb);
  } finally {
    await kb.close();
  }
}

function entryInfo(kb: KnowledgeBase, entry: Entry, maxChars = DEFAULT_MAX_CHARS): EntryInfo {
  const cut = Math.max(0, entry.text.length - maxChars);
  const [page, anchor] = kb.linkFor(entry.id).split("#") as [string, string];
  return {
    id: entry.id,
    kind: entry.kind,
    author: entry.author,
    generation: entry.generation,
    title: entry.title,
    text: cut > 0 ? entry.text.slice(0, maxChars) : entry.text,
    truncated: cut,
    cites: [...entry.cites],
    createdAt: entry.createdAt,
    archived: entry.archived !== undefined,
    location: { file: page === "" ? kb.paths.notes : join(kb.paths.folder, page), anchor },
  };
}
