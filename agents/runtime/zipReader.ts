// A zip file's entries, read from its central directory (PKWARE APPNOTE 6.3.10, sections 4.3.7, 4.3.12, 4.3.16),
// and one entry's bytes as a stream: stored or deflated (inflateRaw), which is all a wheel uses. Enough for a
// wheel on disk; no zip64 (entries over 4 GB), no encryption, no multi-disk archives — those are refused by name.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline, Readable } from "node:stream";
import { createInflateRaw } from "node:zlib";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  localHeaderOffset: number;
}

/** A file that is not a zip this reader can read: the message says what is wrong, for the wheel's error. */
export class ZipFormatError extends Error {}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const ZIP64_MARK = 0xffffffff;
/** The end record is 22 bytes plus a comment of at most 65,535. */
const TAIL_BYTES = 22 + 0xffff;

export async function readZipEntries(path: string): Promise<ZipEntry[]> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const tailStart = Math.max(0, size - TAIL_BYTES);
    const tail = Buffer.alloc(size - tailStart);
    await file.read(tail, 0, tail.length, tailStart);
    const end = endRecordAt(tail);
    if (end < 0) throw new ZipFormatError("it is not a zip file (no end-of-central-directory record)");
    const count = tail.readUInt16LE(end + 10);
    const directorySize = tail.readUInt32LE(end + 12);
    const directoryOffset = tail.readUInt32LE(end + 16);
    if (tail.readUInt16LE(end + 4) !== 0 || tail.readUInt16LE(end + 6) !== 0) throw new ZipFormatError("it is a multi-disk zip");
    if (directoryOffset === ZIP64_MARK || count === 0xffff) throw new ZipFormatError("it is a zip64 archive, which this reader does not read");
    if (directoryOffset + directorySize > size) throw new ZipFormatError("its central directory lies past the end of the file (truncated?)");
    const directory = Buffer.alloc(directorySize);
    await file.read(directory, 0, directorySize, directoryOffset);
    return parseCentralDirectory(directory, count);
  } finally {
    await file.close();
  }
}

/** The end record is the one whose comment runs exactly to the end of the file (a comment may hold its signature). */
function endRecordAt(tail: Buffer): number {
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY && at + 22 + tail.readUInt16LE(at + 20) === tail.length) return at;
  }
  return -1;
}

function parseCentralDirectory(directory: Buffer, count: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new ZipFormatError(`its central directory is damaged at entry ${i + 1}`);
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    const compressedSize = directory.readUInt32LE(at + 20);
    const size = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const localHeaderOffset = directory.readUInt32LE(at + 42);
    const name = directory.toString("utf8", at + 46, at + 46 + nameLength);
    if (flags & 1) throw new ZipFormatError(`${name} is encrypted`);
    if (compressedSize === ZIP64_MARK || size === ZIP64_MARK || localHeaderOffset === ZIP64_MARK) throw new ZipFormatError(`${name} is a zip64 entry (over 4 GB), which this reader does not read`);
    entries.push({ name, method, compressedSize, size, localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The entry's uncompressed bytes. The local header's name and extra field may differ in length from the central one's. */
export async function openZipEntry(path: string, entry: ZipEntry): Promise<Readable> {
  if (entry.method !== 0 && entry.method !== 8) throw new ZipFormatError(`${entry.name} uses compression method ${entry.method}; only stored (0) and deflated (8) are read`);
  const file = await open(path, "r");
  const header = Buffer.alloc(30);
  try {
    await file.read(header, 0, 30, entry.localHeaderOffset);
  } finally {
    await file.close();
  }
  if (header.readUInt32LE(0) !== LOCAL_FILE_HEADER) throw new ZipFormatError(`the local header of ${entry.name} is missing`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  // An empty range cannot be asked of createReadStream (end is inclusive); a stored empty entry is no bytes.
  if (entry.compressedSize === 0) return Readable.from([]);
  const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1 });
  if (entry.method === 0) return raw;
  // pipeline (not pipe) so a read error reaches whoever reads the inflated stream, and both streams are closed.
  return pipeline(raw, createInflateRaw(), () => undefined);
}
