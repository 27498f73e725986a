// Agent-written text as inert Markdown: whatever it contains (HTML, fake headings, fences, anchors, control
// characters), it renders as the literal text and cannot open a block structure of the notes file.
// CommonMark allows a backslash before any ASCII punctuation, so escaping never loses characters.

/** Characters that start inline structure anywhere on a line (links, emphasis, code, HTML, tables). */
const INLINE = /[\\`*_[\]<>|~&]/g;
/** Controls other than newline/tab, plus line/paragraph separators and bidi overrides, shown as U+XXXX. */
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/** Makes control characters visible (⟨U+001B⟩) — also used for agent text printed to a terminal. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}⟩`);
}

/** One line of text, safe anywhere inline (titles, tags, table cells). */
export function inlineText(text: string): string {
  return visible(text.replace(/\r\n?|\n|\t/g, " ")).replace(INLINE, "\\$&").trim();
}

/** A body of text as paragraphs: each line escaped so no line can begin a heading, list, quote, fence or HTML block. */
export function blockText(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  for (const raw of lines) {
    let line = visible(raw.replace(/\t/g, " ")).trim(); // leading spaces would make an indented code block
    if (line.length === 0) {
      if (out.length > 0 && out[out.length - 1] !== "") out.push("");
      continue;
    }
    line = line.replace(INLINE, "\\$&");
    // Block starts that are not inline punctuation: ATX/setext headings, lists, quotes, thematic breaks.
    line = line.replace(/^([#=+\-]|>)/, "\\$1").replace(/^(\d+)([.)])/, "$1\\$2");
    out.push(line);
  }
  while (out[out.length - 1] === "") out.pop();
  // Two trailing spaces keep the author's line breaks inside a paragraph (a CommonMark hard break).
  return out.map((line, i) => (line !== "" && out[i + 1] ? `${line}  ` : line)).join("\n");
}

/** Cuts text to at most `max` characters without splitting a surrogate pair; says how much was left out. */
export function clip(text: string, max: number): { text: string; omitted: number } {
  if (text.length <= max) return { text, omitted: 0 };
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return { text: text.slice(0, end), omitted: text.length - end };
}
