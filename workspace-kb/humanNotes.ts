// The "Human notes" section of NOTES.md as notes: each "### Title" block (or untitled text before the first
// one) is a note by author "human". A hash of each block's text makes ingesting it idempotent. A note that
// cannot be taken whole (bytes that are not UTF-8, longer than an entry holds, hidden by an unclosed comment)
// is refused with its line and the reason, never cut or repaired: the section is the user's, byte for byte.
import { createHash } from "node:crypto";
import { LIMITS } from "./schema";

export interface HumanNote {
  title: string;
  text: string;
  /** sha256 of the normalised block; the same note is never ingested twice. */
  hash: string;
}

export interface RefusedNote {
  /** Line of NOTES.md where the note (or the problem) starts, from 1. */
  line: number;
  title: string;
  reason: string;
}

interface Line {
  text: string;
  number: number;
  /** The line's bytes were not valid UTF-8 (text holds them decoded with U+FFFD). */
  invalid: boolean;
}

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

export function parseHumanNotes(userPart: Uint8Array | string): { notes: HumanNote[]; refused: RefusedNote[] } {
  const notes: HumanNote[] = [];
  const refused: RefusedNote[] = [];
  const lines = decodeLines(typeof userPart === "string" ? Buffer.from(userPart, "utf8") : Buffer.from(userPart));
  const start = lines.findIndex((line) => /^##\s+Human notes\s*$/i.test(line.text));
  if (start === -1) return { notes, refused };

  const section = withoutComments(lines.slice(start + 1));
  if (section.unclosedAt !== undefined) {
    refused.push({ line: section.unclosedAt, title: "(everything below this line)", reason: "an HTML comment opened here with <!-- is never closed with -->, so the rest of the section is hidden from the agents; close the comment" });
  }
  let title: string | undefined;
  let body: Line[] = [];
  let firstLine = 0;
  let firstLineInvalid = false;
  const flush = () => {
    const text = body.map((line) => line.text).join("\n").replace(/\s+$/, "").replace(/^\n+/, "");
    const heading = (title ?? "").trim();
    if (text.length > 0 || heading.length > 0) {
      const shownTitle = heading || text.split("\n")[0]!;
      const invalid = body.find((line) => line.invalid)?.number ?? (firstLineInvalid ? firstLine : undefined);
      const refuse = (reason: string) => refused.push({ line: firstLine, title: shownTitle.slice(0, 80), reason });
      if (invalid !== undefined) refuse(`line ${invalid} holds bytes that are not UTF-8; save NOTES.md as UTF-8`);
      else if (text.length > LIMITS.textChars) refuse(`it has ${text.length.toLocaleString("en-US")} characters and a note holds at most ${LIMITS.textChars.toLocaleString("en-US")}; split it into several notes`);
      else if (heading.length > LIMITS.titleChars) refuse(`its title has ${heading.length} characters and a title holds at most ${LIMITS.titleChars}; shorten it`);
      else {
        const normalised = `${heading}\n${text.split("\n").map((line) => line.trimEnd()).join("\n")}`;
        notes.push({ title: shownTitle.slice(0, LIMITS.titleChars), text, hash: createHash("sha256").update(normalised).digest("hex") });
      }
    }
    body = [];
  };
  for (const line of section.lines) {
    const heading = /^###\s+(.*)$/.exec(line.text);
    if (heading) {
      flush();
      title = heading[1]!.replace(/\s+#+\s*$/, "");
      firstLine = line.number;
      firstLineInvalid = line.invalid;
    } else {
      if (body.length === 0 && title === undefined) firstLine = line.number;
      body.push(line);
    }
  }
  flush();
  return { notes, refused };
}

/** Lines (split at \n, \r\n or \r), each decoded on its own so one bad byte marks one line, not the file. */
function decodeLines(bytes: Buffer): Line[] {
  const lines: Line[] = [];
  let number = 0;
  for (let at = 0; at <= bytes.length; ) {
    const newline = bytes.indexOf(10, at);
    const end = newline === -1 ? bytes.length : newline;
    const raw = bytes.subarray(at, end);
    let text: string;
    let invalid = false;
    try {
      text = strict.decode(raw);
    } catch {
      text = lenient.decode(raw);
      invalid = true;
    }
    for (const part of text.replace(/\r$/, "").split("\r")) lines.push({ text: part, number: ++number, invalid });
    if (newline === -1) break;
    at = newline + 1;
  }
  return lines;
}

/** The lines with HTML comments taken out, as Markdown hides them (a comment may span lines). */
function withoutComments(lines: Line[]): { lines: Line[]; unclosedAt?: number } {
  const out: Line[] = [];
  let inComment = false;
  let openedAt = 0;
  let carry: Line | undefined; // the text before a comment that spans lines, joined to the text after it
  for (const line of lines) {
    let rest = line.text;
    let kept = carry ? carry.text : "";
    const invalid = line.invalid || (carry?.invalid ?? false);
    while (rest.length > 0) {
      if (inComment) {
        const end = rest.indexOf("-->");
        if (end === -1) rest = "";
        else {
          rest = rest.slice(end + 3);
          inComment = false;
        }
      } else {
        const begin = rest.indexOf("<!--");
        if (begin === -1) {
          kept += rest;
          rest = "";
        } else {
          kept += rest.slice(0, begin);
          rest = rest.slice(begin + 4);
          inComment = true;
          openedAt = line.number;
        }
      }
    }
    if (inComment) {
      carry = { text: kept, number: carry?.number ?? line.number, invalid };
      continue;
    }
    out.push({ text: kept, number: carry?.number ?? line.number, invalid });
    carry = undefined;
  }
  if (inComment) return { lines: carry ? [...out, carry] : out, unclosedAt: openedAt };
  return { lines: out };
}
