// Adds a note to the "Human notes" section of NOTES.md the way a person would type it (a "### Title" line and
// the text), so the next round ingests it as an entry by "human". The rest of the file is kept byte for byte;
// the write is atomic, and repeated if the file changed while we wrote (a round rendering, the user saving).
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { CultureLabError } from "./errors";
import { withNotesFile } from "./notesFileMutex";
import { GENERATED_MARKER, NEW_HUMAN_PART } from "./notesFile";
import { LIMITS } from "./schema";

export interface HumanNoteInput {
  title: string;
  text: string;
}

/** Returns the 1-based line of the note's heading in the written file. */
export async function addHumanNote(notesPath: string, note: HumanNoteInput): Promise<number> {
  const title = note.title.replace(/\s+/g, " ").trim();
  const text = note.text.replace(/\r\n?/g, "\n").trim();
  if (title === "") throw new CultureLabError("note-empty", "The note needs a title.", "Give it a short title; it becomes the entry's title.");
  if (title.length > LIMITS.titleChars) throw new CultureLabError("note-too-long", `The title has ${title.length} characters; at most ${LIMITS.titleChars} are kept.`, "Shorten the title and put the rest in the text.");
  if (text.length > LIMITS.textChars) throw new CultureLabError("note-too-long", `The note has ${text.length} characters; an entry holds at most ${LIMITS.textChars}.`, "Split it into several notes.");
  // Lines that would end the note early or break the file's structure are refused rather than rewritten.
  if (/^#{1,3}\s/m.test(text)) throw new CultureLabError("note-heading", "The note's text contains a Markdown heading (#, ## or ###), which would start another note or section.", "Use #### or bold text for headings inside a note.");
  if (text.includes(GENERATED_MARKER) || text.includes("<!--")) throw new CultureLabError("note-marker", "The note's text contains an HTML comment, which the notes file uses for its own markers.", "Remove the <!-- … --> part.");

  return withNotesFile(notesPath, () => writeNote(notesPath, title, text));
}

async function writeNote(notesPath: string, title: string, text: string): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await readOrEmpty(notesPath);
    const { content, line } = insertNote(before, title, text);
    const temp = `${notesPath}.tmp-note-${process.pid}`;
    await writeFile(temp, content);
    // Someone else wrote meanwhile: start again from their version rather than overwrite it.
    if ((await readOrEmpty(notesPath)) !== before) {
      await rm(temp, { force: true });
      continue;
    }
    await rename(temp, notesPath);
    return line;
  }
  throw new CultureLabError("notes-busy", `${notesPath} kept changing while the note was being added.`, "Try again in a moment.");
}

/** The file with the note appended to the Human notes section, which runs to the generated marker (created when missing). */
export function insertNote(content: string, title: string, text: string): { content: string; line: number } {
  const base = content === "" ? NEW_HUMAN_PART : content;
  const markerAt = base.indexOf(GENERATED_MARKER);
  let user = markerAt === -1 ? base : base.slice(0, markerAt);
  const generated = markerAt === -1 ? "" : base.slice(markerAt);
  if (!/^##\s+Human notes\s*$/im.test(user)) user = `${ensureBlankLineEnd(user)}## Human notes\n\n`;
  // The parser (humanNotes.ts) reads the section to the end of the user's part, so the note goes last,
  // after the last line of text.
  const lines = user.split("\n");
  let at = lines.length;
  while (at > 0 && lines[at - 1]!.trim() === "") at--;
  const block = ["", `### ${title}`, "", ...(text === "" ? [] : text.split("\n")), ""];
  lines.splice(at, lines.length - at, ...block);
  const headingLine = at + 2; // 1-based: the block's first line is blank
  const joined = lines.join("\n");
  return { content: `${ensureBlankLineEnd(joined)}${generated}`, line: headingLine };
}

function ensureBlankLineEnd(text: string): string {
  if (text === "") return text;
  return text.endsWith("\n\n") ? text : text.endsWith("\n") ? `${text}\n` : `${text}\n\n`;
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}
