// Step 6, "Sleep": every M generations a librarian consolidates recent notes into a book chapter written for
// other LLMs (with citations), and notes nobody retrieved or cited for a while are archived — forgotten, not
// deleted, so the record stays whole. Human notes are never forgotten.
import type { LoopAgent } from "./agentPort";
import { ask, citableIds, knownCitations, type LoopContext } from "./loopContext";
import type { RetrievedNote } from "./agentPort";
import { notesWithin } from "./noteBudget";
import { librarianPrompt, writingSchemaAt } from "./prompts";
import { NOTE_BUDGET_CHARS } from "./roleBudgets";

const CHAPTER_SOURCES = 12;
/** Notes that do not fit one chapter's prompt are split over at most this many chapters per sleep. */
const CHAPTERS_PER_SLEEP = 2;

export interface SleepOutcome {
  chapters: number;
  archived: number;
  failure?: string;
}

export function isSleepGeneration(ctx: LoopContext, generation: number): boolean {
  const { every } = ctx.config.sleep;
  return every > 0 && (generation + 1) % every === 0;
}

export async function sleep(ctx: LoopContext, librarian: LoopAgent, generation: number): Promise<SleepOutcome> {
  const outcome: SleepOutcome = { chapters: 0, archived: 0 };
  const since = generation - ctx.config.sleep.every + 1;
  const citedCount = new Map<string, number>();
  for (const entry of ctx.kb.entries()) for (const id of entry.cites) citedCount.set(id, (citedCount.get(id) ?? 0) + 1);
  const sources = ctx.kb
    .entries({ kinds: ["note", "human"] })
    .filter((e) => e.generation >= since)
    .sort((a, b) => (citedCount.get(b.id) ?? 0) - (citedCount.get(a.id) ?? 0))
    .slice(0, CHAPTER_SOURCES)
    .map((e) => ({ id: e.id, title: e.title, text: e.text }));

  // Chapters are built from the notes in full: the sources are split into groups that fit one prompt, and a
  // prompt still over the context is rebuilt with fewer and shorter notes by the door (`shorter`).
  for (const group of chapterGroups(sources, NOTE_BUDGET_CHARS.librarian).slice(0, CHAPTERS_PER_SLEEP)) {
    const shown = (level: number) => notesWithin(group, NOTE_BUDGET_CHARS.librarian, level);
    const reply = await ask(ctx, librarian, generation, {
      role: "librarian",
      prompt: librarianPrompt(shown(0)!),
      shorter: (level) => {
        const fewer = shown(level);
        return fewer && fewer.length > 0 ? librarianPrompt(fewer) : undefined;
      },
      schema: writingSchemaAt(ctx.level, "chapter", citableIds(group)),
      facts: { notes: group },
    });
    if (reply.ok) {
      const value = reply.value as { title: string; text: string; cites: unknown };
      const { known } = knownCitations(ctx, value.cites, generation);
      ctx.kb.addEntry({ kind: "chapter", author: librarian.id, generation, title: value.title.slice(0, 300), text: value.text.slice(0, 50_000), cites: known });
      outcome.chapters++;
    } else {
      outcome.failure = reply.reason;
    }
  }

  const forgetBefore = generation - ctx.config.sleep.forgetAfter + 1;
  for (const note of ctx.kb.entries({ kinds: ["note"] })) {
    const lastUsed = ctx.lastUsed.get(note.id) ?? note.generation;
    if (lastUsed < forgetBefore) {
      ctx.kb.archive(note.id, `not retrieved or cited since generation ${lastUsed}`);
      outcome.archived++;
    }
  }
  return outcome;
}

/** Consecutive groups of notes whose full texts fit `budgetChars` together (a longer note is a group alone, clipped when shown). */
export function chapterGroups(notes: RetrievedNote[], budgetChars: number): RetrievedNote[][] {
  const groups: RetrievedNote[][] = [];
  let current: RetrievedNote[] = [];
  let used = 0;
  for (const note of notes) {
    const size = note.title.length + note.text.length;
    if (current.length > 0 && used + size > budgetChars) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(note);
    used += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
