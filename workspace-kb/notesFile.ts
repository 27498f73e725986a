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

/** Splits a NOTES.md into the user's part and the generated part. Without a marker, all of it is the user's. */
export function userPart(content: string): string {
  const at = content.indexOf(GENERATED_MARKER);
  if (at === -1) return content.endsWith("\n") || content.length === 0 ? content : `${content}\n`;
  return content.slice(0, at);
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
}): string {
  const { entries, total, pages } = options;
  const lines = [GENERATED_MARKER, "", "## Agent notes", ""];
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
