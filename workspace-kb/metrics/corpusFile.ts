// Reads a corpus from a JSONL file — one document a line, as a JSON string or an object with a string `text`
// field — and says exactly which line is wrong when one is. Blank lines are skipped; "" is an empty document.
import { readFile } from "node:fs/promises";
import { CultureLabError } from "../errors";

const SHAPE_HINT = 'Each line must be a JSON string ("…") or a JSON object with a "text" string field.';

export async function readCorpusFile(path: string): Promise<string[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a folder, not a file" : `cannot be read (${code ?? String(error)})`;
    throw new CultureLabError("corpus-unreadable", `${path} ${what}.`, "Pass the path of a JSONL file with one document a line.", { cause: error });
  }
  return parseCorpus(bytes, path);
}

/** Parse JSONL bytes; `name` is used in messages. */
export function parseCorpus(bytes: Uint8Array, name: string): string[] {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const docs: string[] = [];
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const text = decodeLine(decoder, bytes.subarray(start, end), name, line);
    start = end + 1;
    if (text.trim() === "") continue;
    docs.push(documentOf(text, name, line));
  }
  return docs;
}

function decodeLine(decoder: TextDecoder, bytes: Uint8Array, name: string, line: number): string {
  try {
    return decoder.decode(bytes).replace(/\r$/, "").replace(/^\uFEFF/, "");
  } catch (error) {
    throw new CultureLabError("corpus-not-utf8", `${name}, line ${line}: the bytes are not valid UTF-8.`, "Re-save the file as UTF-8 (JSON text must be UTF-8).", { cause: error });
  }
}

function documentOf(text: string, name: string, line: number): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CultureLabError("corpus-not-json", `${name}, line ${line} is not JSON: ${(error as Error).message}`, SHAPE_HINT, { cause: error });
  }
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as { text?: unknown }).text === "string") {
    return (value as { text: string }).text;
  }
  throw new CultureLabError("corpus-bad-line", `${name}, line ${line} is JSON but neither a string nor an object with a "text" string.`, SHAPE_HINT);
}
