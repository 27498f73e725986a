// Adds a note to the "Human notes" section of NOTES.md the way a person would type it (a "### Title" line and
// the text), so the next round ingests it as an entry by "human". The rest of the file is kept byte for byte
// (whatever its encoding); the write is atomic, and repeated if the file changed while we wrote (a round
// rendering, the user saving). Within this process NOTES.md has one writer at a time (notesFileMutex.ts).
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { CultureLabError } from "./errors";
import { withNotesFile } from "./notesFileMutex";
import { GENERATED_MARKER, NEW_HUMAN_PART, userPart } from "./notesFile";
import { fromOsError } from "./osError";
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
    try {
      await writeFile(temp, content);
      // Someone else wrote meanwhile: start again from their version rather than overwrite it.
      if (!(await readOrEmpty(notesPath)).equals(before)) {
        await rm(temp, { force: true });
        continue;
      }
      await rename(temp, notesPath);
    } catch (error) {
      await rm(temp, { force: true });
      throw fromOsError(error, notesPath) ?? error;
    }
    return line;
  }
  throw new CultureLabError("notes-busy", `${notesPath} kept changing while the note was being added.`, "Try again in a moment.");
}

/**
 * The file with the note appended to the Human notes section, which runs to the generated marker (the part the
 * parser in humanNotes.ts reads); the section is created when missing. Bytes outside the insertion are kept.
 */
export function insertNote(content: Uint8Array, title: string, text: string): { content: Buffer; line: number } {
  const base = content.length === 0 ? Buffer.from(NEW_HUMAN_PART, "utf8") : Buffer.from(content);
  const user = userPart(base);
  const generated = user.length < base.length ? base.subarray(user.length) : Buffer.alloc(0);
  // latin1 maps each byte to one character and back, so the user's bytes survive whatever their encoding.
  let mine = user.toString("latin1");
  if (!/^##\s+Human notes\s*$/im.test(mine)) mine = `${mine}${mine === "" || mine.endsWith("\n") ? "" : "\n"}${mine.trim() === "" ? "" : "\n"}## Human notes\n`;
  if (!mine.endsWith("\n")) mine += "\n";
  // A blank line before the heading, unless the section already ends in one.
  const lead = mine.endsWith("\n\n") ? "" : "\n";
  const headingLine = `${mine}${lead}`.split("\n").length;
  const block = `${lead}### ${title}\n\n${text === "" ? "" : `${text}\n`}\n`;
  return { content: Buffer.concat([Buffer.from(mine, "latin1"), Buffer.from(block, "utf8"), generated]), line: headingLine };
}

async function readOrEmpty(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0);
    throw fromOsError(error, path) ?? error;
  }
}
