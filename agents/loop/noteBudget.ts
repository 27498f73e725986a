// Which notes a prompt shows, and how much of each, within a character budget. Level 0 shows notes in full, in
// order, while they fit (the last one clipped); each further level halves the budget, so a prompt that is still
// over the context is rebuilt with fewer and shorter notes rather than refused. The last level shows none.
import type { RetrievedNote } from "./agentPort";

/** Smallest useful piece of a note; below it a note is left out rather than cut to a stub. */
const MIN_PIECE = 150;

/** The notes to show at trim `level` of a prompt whose notes may use `budgetChars`; undefined when there is no smaller level. */
export function notesWithin(notes: readonly RetrievedNote[], budgetChars: number, level = 0): RetrievedNote[] | undefined {
  if (notes.length === 0) return level === 0 ? [] : undefined;
  const budget = Math.floor(budgetChars / 2 ** level);
  if (budget < MIN_PIECE) {
    // One level shows no notes at all; past it, nothing is left to cut.
    return budgetChars / 2 ** (level - 1) >= MIN_PIECE || level === 0 ? [] : undefined;
  }
  const shown: RetrievedNote[] = [];
  let left = budget;
  for (const note of notes) {
    if (left < MIN_PIECE) break;
    const text = note.text.length <= left ? note.text : `${note.text.slice(0, left - 1)}…`;
    shown.push({ ...note, text });
    left -= text.length + note.title.length;
  }
  return shown;
}
