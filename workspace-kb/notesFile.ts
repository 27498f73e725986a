// NOTES.md, the file a person reads: the user's part on top (kept byte for byte), then a marker line, then the
// entries not yet sealed, newest first, and links to one immutable archive page per sealed segment
// (.culture/notes/NNNNNN.md). Only the part below the marker is ever rewritten.
import { blockText, clip, inlineText } from "./markdownText";
import type { Entry } from "./schema";

export const GENERATED_MARKER =
  "<!-- culture-lab:generated · everything below this line is rewritten after every round; write above it -->";

/** Text longer than this is cut in the notes file (the knowledge base keeps all of it). */
export const RENDER_TEXT_CHARS = 4000;

export const NEW_HUMAN_PART = `# Culture Lab notes

## Human notes

<!-- Write notes for the agents here. Start each note with a "### Title" line and the text below it.
     At the next round each new or changed note becomes a knowledge-base entry by author "human";
     this section is yours and is never rewritten. -->

`;

const MARKER_BYTES = Buffer.from(GENERATED_MARKER, "utf8");

/**
 * The user's part of a NOTES.md, as the bytes they wrote (whatever the encoding): everything before the last
 * line that is exactly the marker. The generated part never holds that line (agent text is escaped), so a
 * note that quotes the marker stays the user's. Without a marker all of it is the user's, given a final
 * newline if it lacks one so the marker starts a line of its own.
 */
export function userPart(content: Uint8Array): Buffer {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  for (let at = bytes.lastIndexOf(MARKER_BYTES); at !== -1; at = at === 0 ? -1 : bytes.lastIndexOf(MARKER_BYTES, at - 1)) {
    const after = at + MARKER_BYTES.length;
    const startsLine = at === 0 || bytes[at - 1] === 10;
    const endsLine = after === bytes.length || bytes[after] === 10 || (bytes[after] === 13 && bytes[after + 1] === 10);
    if (startsLine && endsLine) return bytes.subarray(0, at);
  }
  return bytes.length === 0 || bytes[bytes.length - 1] === 10 ? bytes : Buffer.concat([bytes, Buffer.from("\n")]);
}

/** Where an entry's anchor lives, relative to the page being rendered. */
export type LinkFor = (id: string) => string;

export function anchorId(id: string): string {
  return `kb-${id}`;
}

export function renderEntry(entry: Entry, linkFor: LinkFor): string {
  const kindLabel = entry.kind === "chapter" ? "book chapter" : entry.kind === "human" ? "human note" : entry.kind;
  const facts = [
    `**${kindLabel}**`,
    `by \`${entry.author}\``,
    `generation ${entry.generation}`,
    entry.createdAt,
    `id \`${entry.id}\``,
  ];
  if (entry.tags.length > 0) facts.push(`tags: ${entry.tags.map(inlineText).join(", ")}`);
  const lines = [`<a id="${anchorId(entry.id)}"></a>`, `### ${inlineText(entry.title) || "(untitled)"}`, "", facts.join(" · ")];
  if (entry.cites.length > 0) lines.push("", `Cites: ${entry.cites.map((id) => `[${id}](${linkFor(id)})`).join(", ")}`);
  if (entry.archived) lines.push("", `*Archived ${entry.archived.at}: ${inlineText(entry.archived.reason) || "no reason given"}.*`);
  const { text, omitted } = clip(entry.text, RENDER_TEXT_CHARS);
  const body = blockText(text);
  if (body) lines.push("", body);
  if (omitted > 0) lines.push("", `*… ${omitted} more characters in the knowledge base (\`culture-lab kb show ${entry.id}\`).*`);
  return `${lines.join("\n")}\n`;
}

export interface PageRef {
  name: string;
  firstEntry: number;
  lastEntry: number;
}

export function renderGenerated(options: {
  /** Rendered head entries, newest first. */
  entries: readonly string[];
  total: number;
  pages: readonly PageRef[];
  /** Human notes the last round could not take: said here, where the user writes them. */
  refused?: readonly { line: number; title: string; reason: string }[];
}): string {
  const { entries, total, pages, refused = [] } = options;
  const lines = [GENERATED_MARKER, ""];
  if (refused.length > 0) {
    lines.push("## Human notes not taken", "", "These notes above were not given to the agents; fix them and they are taken at the next round:", "");
    for (const note of refused) lines.push(`- line ${note.line}, “${inlineText(note.title)}”: ${inlineText(note.reason)}.`);
    lines.push("");
  }
  lines.push("## Agent notes", "");
  lines.push(`${total} entries in the knowledge base; the ${entries.length} newest are below, newest first.`);
  if (pages.length > 0) {
    lines.push("", "Older entries, one page per sealed segment:", "");
    for (const page of [...pages].reverse()) {
      lines.push(`- [entries ${page.firstEntry + 1}–${page.lastEntry + 1}](notes/${page.name}.md)`);
    }
  }
  lines.push("");
  return `${lines.join("\n")}\n${entries.map((entry) => `---\n\n${entry}`).join("\n")}`;
}

export function renderArchivePage(page: PageRef, entries: readonly string[]): string {
  const header = [
    `# Culture Lab notes · entries ${page.firstEntry + 1}–${page.lastEntry + 1}`,
    "",
    "An immutable page of sealed entries, oldest first; [back to the notes](../NOTES.md).",
    "Entries archived after this page was written are marked in the knowledge base, not here.",
    "",
  ];
  return `${header.join("\n")}\n${entries.map((entry) => `---\n\n${entry}`).join("\n")}`;
}
