// One writer at a time for NOTES.md within this process: a round rendering the file and a person's note added
// through the editor both re-read the file before replacing it, but in between they must not interleave.
// (Another process saving the file — the user's editor — is handled by re-reading; see notesWriter.ts.)
const queues = new Map<string, Promise<unknown>>();

export async function withNotesFile<T>(path: string, work: () => Promise<T>): Promise<T> {
  const before = queues.get(path) ?? Promise.resolve();
  const mine = before.then(work, work);
  const settled = mine.catch(() => undefined);
  queues.set(path, settled);
  try {
    return await mine;
  } finally {
    if (queues.get(path) === settled) queues.delete(path);
  }
}
