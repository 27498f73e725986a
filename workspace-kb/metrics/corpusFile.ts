// Reads a corpus from a JSONL file — one document a line, as a JSON string or an object with a string `text`
// field — and says exactly which line is wrong when one is. Blank lines are skipped; "" is an empty document.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { CultureLabError } from "../errors";

const SHAPE_HINT = 'Each line must be a JSON string ("…") or a JSON object with a "text" string field.';

/**
 * Bounds on one corpus: the metrics hold every document in memory several times over (tokens, n-gram tables),
 * so a larger file would take minutes and gigabytes before failing, and a device like /dev/zero never ends.
 */
export const CORPUS_LIMITS = { bytes: 256 * 1024 * 1024, documentBytes: 1024 * 1024 } as const;

export async function readCorpusFile(path: string): Promise<string[]> {
  return parseCorpus(await readJsonlBytes(path), path);
}

/** The bytes of a JSONL file, refused with a clear message when it is missing, not a regular file, or too large. */
export async function readJsonlBytes(path: string): Promise<Uint8Array> {
  const unreadable = (what: string, cause?: unknown) =>
    new CultureLabError("corpus-unreadable", `${path} ${what}.`, "Pass the path of a JSONL file with one document a line.", { cause });
  let handle;
  try {
    // Non-blocking, so that opening a pipe nobody writes to returns at once (and is then refused as a pipe).
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw unreadable(code === "ENOENT" ? "does not exist" : code === "EACCES" ? "cannot be read: permission denied" : `cannot be read (${code ?? String(error)})`, error);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw unreadable("is a folder, not a file");
    if (!info.isFile()) throw unreadable("is not a regular file (a device, a pipe or a socket has no end to measure)");
    const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;
    if (info.size > CORPUS_LIMITS.bytes) throw unreadable(`is ${mb(info.size)}; a corpus can be at most ${mb(CORPUS_LIMITS.bytes)} — pass a sample, or its last lines (e.g. \`tail -n 100000\`)`);
    // Read at most one byte past the limit, in case the file grows while it is read.
    const bytes = Buffer.alloc(Math.min(info.size, CORPUS_LIMITS.bytes) + 1);
    let read = 0;
    for (;;) {
      const { bytesRead } = await handle.read(bytes, read, bytes.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
      if (read === bytes.length) {
        if (read > CORPUS_LIMITS.bytes) throw unreadable(`grew past ${mb(CORPUS_LIMITS.bytes)} while it was read`);
        break;
      }
    }
    return bytes.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/** Parse JSONL bytes; `name` is used in messages. */
export function parseCorpus(bytes: Uint8Array, name: string): string[] {
  const docs: string[] = [];
  forEachJsonLine(bytes, name, (text, line) => docs.push(documentOf(text, name, line)));
  return docs;
}

/** Calls `each` with every non-blank line (decoded, one trailing CR and a BOM removed) and its 1-based number. */
export function forEachJsonLine(bytes: Uint8Array, name: string, each: (text: string, line: number) => void): void {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (end - start > CORPUS_LIMITS.documentBytes) {
      throw new CultureLabError("corpus-line-too-long", `${name}, line ${line} is ${end - start} bytes; a document can be at most ${CORPUS_LIMITS.documentBytes} bytes.`,
        "Split long documents, or check that the file is JSONL (one document a line) and not one huge JSON value.");
    }
    const text = decodeLine(decoder, bytes.subarray(start, end), name, line);
    start = end + 1;
    if (text.trim() === "") continue;
    each(text, line);
  }
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
