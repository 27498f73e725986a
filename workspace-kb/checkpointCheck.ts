// kb.json is trusted only where it agrees with itself and with events.jsonl: a checkpoint whose counters were
// lowered would make the next round reuse an entry number, one that lost a record would hide it for good.
import { stat } from "node:fs/promises";
import { CultureLabError } from "./errors";
import { readCommitBefore } from "./eventLog";
import { ENTRY_KINDS, KIND_LETTERS } from "./schema";
import type { Checkpoint, EntryKind } from "./schema";

const KIND_LETTER = Object.fromEntries(ENTRY_KINDS.map((kind, i) => [kind, KIND_LETTERS[i]])) as Record<EntryKind, string>;

/**
 * A checkpoint is trusted only where it agrees with itself (segments, head and counters add up) and with
 * the log (the commit line it was built up to carries the same sequence number, round and counters).
 */
export async function checkCheckpoint(checkpoint: Checkpoint, kbJson: string, events: string): Promise<void> {
  const disagree = (what: string) =>
    new CultureLabError("kb-checkpoint-mismatch", `${kbJson} disagrees with ${what}; it cannot be trusted, and nothing was written.`,
      "Run `culture-lab kb rebuild` to rebuild it from events.jsonl (the current file is kept as a backup).");
  let sealed = 0;
  for (const ref of checkpoint.segments) {
    if (ref.firstEntry !== sealed || ref.lastEntry - ref.firstEntry + 1 !== ref.count) {
      throw disagree(`itself: segment ${ref.name} covers entries ${ref.firstEntry}–${ref.lastEntry} (${ref.count}), but ${sealed} entries come before it`);
    }
    sealed += ref.count;
  }
  checkpoint.head.forEach((entry, i) => {
    const expected = `${KIND_LETTER[entry.kind]}-${(sealed + i).toString(36)}`;
    if (entry.id !== expected) throw disagree(`itself: head entry ${i} is ${entry.id}, where ${expected} was due`);
  });
  if (checkpoint.entryCount !== sealed + checkpoint.head.length) {
    throw disagree(`itself: entryCount is ${checkpoint.entryCount}, but its segments and head hold ${sealed + checkpoint.head.length} entries`);
  }
  const attempts = checkpoint.attemptChunks.reduce((sum, chunk) => sum + chunk.count, 0) + checkpoint.attempts.length;
  if (checkpoint.attemptCount !== attempts) {
    throw disagree(`itself: attemptCount is ${checkpoint.attemptCount}, but it and its chunks hold ${attempts} attempts`);
  }
  if (checkpoint.eventsOffset === 0) {
    if (checkpoint.seq !== 0 || checkpoint.round !== 0) throw disagree(`the log: it is at round ${checkpoint.round} but claims no event of events.jsonl`);
    return;
  }
  const commit = await readCommitBefore(events, checkpoint.eventsOffset);
  if (!commit) {
    // A missing or short log is reported, with what to do, by readEvents; otherwise the position is wrong.
    const size = await stat(events).then((info) => info.size, () => undefined);
    if (size === undefined || size < checkpoint.eventsOffset - 1) return;
    throw disagree(`${events}: no commit line ends at byte ${checkpoint.eventsOffset}, where kb.json says its last round ends`);
  }
  const where = `${events} (the commit line ending at byte ${checkpoint.eventsOffset})`;
  const mismatch = (field: string, mine: number, logs: number | undefined) =>
    logs !== undefined && mine !== logs ? `${field} ${mine}, the log ${logs}` : undefined;
  const problems = [
    mismatch("seq", checkpoint.seq, commit.seq),
    mismatch("round", checkpoint.round, commit.round),
    mismatch("entryCount", checkpoint.entryCount, commit.entries),
    mismatch("attemptCount", checkpoint.attemptCount, commit.attempts),
    mismatch("agents", checkpoint.agents.length, commit.agents),
    mismatch("generations", checkpoint.generations.length, commit.generations),
    mismatch("metrics", checkpoint.metrics.length, commit.metrics),
    mismatch("archive marks", Object.keys(checkpoint.archivedSealed).length + checkpoint.head.filter((entry) => entry.archived).length, commit.archived),
  ].filter(Boolean);
  if (problems.length > 0) throw disagree(`${where}: kb.json says ${problems.join("; ")}`);
}
