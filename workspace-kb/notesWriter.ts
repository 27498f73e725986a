// Writes NOTES.md and the archive pages atomically. NOTES.md's user part is re-read just before the rename,
// so an edit the user saves while a round is rendering is kept, not overwritten.
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomicFile";
import { NEW_HUMAN_PART, renderArchivePage, renderEntry, renderGenerated, userPart } from "./notesFile";
import type { LinkFor, PageRef } from "./notesFile";
import type { Entry } from "./schema";

export async function writeNotesFile(
  path: string,
  linkFor: LinkFor,
  state: { head: readonly Entry[]; total: number; pages: readonly PageRef[]; cache: Map<string, string> },
): Promise<void> {
  const rendered: string[] = [];
  for (let i = state.head.length - 1; i >= 0; i--) {
    const entry = state.head[i]!;
    let text = state.cache.get(entry.id);
    if (text === undefined) state.cache.set(entry.id, (text = renderEntry(entry, linkFor)));
    rendered.push(text);
  }
  const generated = renderGenerated({ entries: rendered, total: state.total, pages: state.pages });
  const temp = `${path}.tmp-${process.pid}`;
  for (let attempt = 0; ; attempt++) {
    const mine = await currentUserPart(path);
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(`${mine ?? NEW_HUMAN_PART}${generated}`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The user may have saved meanwhile; their text wins, so render again around it.
    if ((await currentUserPart(path)) === mine || attempt === 5) break;
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function currentUserPart(path: string): Promise<string | undefined> {
  try {
    return userPart(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export async function writeArchivePage(dir: string, page: PageRef & { name: string }, entries: readonly Entry[], linkFor: LinkFor): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, `${page.name}.md`), renderArchivePage(page, entries.map((entry) => renderEntry(entry, linkFor))));
}
