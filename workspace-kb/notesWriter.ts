// Writes NOTES.md and the archive pages atomically. NOTES.md's user part is re-read just before the rename,
// so an edit the user saves while a round is rendering is kept, not overwritten.
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomicFile";
import { withNotesFile } from "./notesFileMutex";
import { fromOsError } from "./osError";
import { NEW_HUMAN_PART, renderArchivePage, renderEntry, renderGenerated, userPart } from "./notesFile";
import type { LinkFor, PageRef } from "./notesFile";
import type { RefusedNote } from "./humanNotes";
import type { Entry } from "./schema";

/**
 * Renders the shown entries (oldest first in `shown`, newest first in the file) and writes NOTES.md. The cache
 * is keyed by entry object: entries are immutable, and archiving one replaces its object.
 */
export async function writeNotesFile(
  path: string,
  linkFor: LinkFor,
  state: { shown: readonly Entry[]; total: number; pages: readonly PageRef[]; cache: WeakMap<Entry, string>; refused?: readonly RefusedNote[] },
): Promise<void> {
  const rendered: string[] = [];
  for (let i = state.shown.length - 1; i >= 0; i--) {
    const entry = state.shown[i]!;
    let text = state.cache.get(entry);
    if (text === undefined) state.cache.set(entry, (text = renderEntry(entry, linkFor)));
    rendered.push(text);
  }
  const generated = renderGenerated({ entries: rendered, total: state.total, pages: state.pages, refused: state.refused ?? [] });
  await withNotesFile(path, () => replaceNotesFile(path, generated));
}

async function replaceNotesFile(path: string, generated: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  const generatedBytes = Buffer.from(generated, "utf8");
  for (let attempt = 0; ; attempt++) {
    const mine = await currentUserPart(path);
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(Buffer.concat([mine ?? Buffer.from(NEW_HUMAN_PART, "utf8"), generatedBytes]));
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The user may have saved meanwhile; their text wins, so render again around it.
    const now = await currentUserPart(path);
    if ((now === undefined ? mine === undefined : mine !== undefined && now.equals(mine)) || attempt === 5) break;
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The user's part as bytes: never decoded and encoded again, so bytes that are not UTF-8 survive. */
async function currentUserPart(path: string): Promise<Buffer | undefined> {
  try {
    return userPart(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fromOsError(error, path) ?? error;
  }
}

/** Renders an archive page now; the returned function writes it. */
export function prepareArchivePage(dir: string, page: PageRef & { name: string }, entries: readonly Entry[], linkFor: LinkFor): () => Promise<void> {
  const content = renderArchivePage(page, entries.map((entry) => renderEntry(entry, linkFor)));
  return async () => {
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, `${page.name}.md`), content);
  };
}
