// The "Human notes" section of NOTES.md as notes: each "### Title" block (or untitled text before the first
// one) is a note by author "human". A hash of each block's text makes ingesting it idempotent.
import { createHash } from "node:crypto";
import { LIMITS } from "./schema";

export interface HumanNote {
  title: string;
  text: string;
  /** sha256 of the normalised block; the same note is never ingested twice. */
  hash: string;
}

export function parseHumanNotes(userPart: string): HumanNote[] {
  const lines = userPart.replace(/\r\n?/g, "\n").split("\n");
  const start = lines.findIndex((line) => /^##\s+Human notes\s*$/i.test(line));
  if (start === -1) return [];
  const section = lines.slice(start + 1).join("\n").replace(/<!--[\s\S]*?(-->|$)/g, "");
  const notes: HumanNote[] = [];
  let title: string | undefined;
  let body: string[] = [];
  const flush = () => {
    const text = body.join("\n").replace(/\s+$/, "").replace(/^\n+/, "");
    const heading = (title ?? "").trim();
    if (text.length > 0 || heading.length > 0) {
      const normalised = `${heading}\n${text.split("\n").map((line) => line.trimEnd()).join("\n")}`;
      notes.push({
        title: (heading || text.split("\n")[0]!).slice(0, LIMITS.titleChars),
        text: text.slice(0, LIMITS.textChars),
        hash: createHash("sha256").update(normalised).digest("hex"),
      });
    }
    body = [];
  };
  for (const line of section.split("\n")) {
    const heading = /^###\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      title = heading[1]!.replace(/\s+#+\s*$/, "");
    } else {
      body.push(line);
    }
  }
  flush();
  return notes;
}
