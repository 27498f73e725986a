// A sealed segment: a run of entries frozen into immutable files under .culture/segments/ — NNNNNN.jsonl (the
// entries, one a line), NNNNNN.idx (BM25 postings and per-document columns as typed arrays) and, when the
// entries have embeddings, NNNNNN.vec (float32 norms, then vectors). Opening a big knowledge base reads only the
// compact .idx files; entry texts are read when asked for, vectors on the first similarity search.
// Damage is reported as damage, with the rebuild command: the .idx carries a CRC-32 of its sections (checked
// on open), one per .jsonl line (checked when the line is read) and one of the .vec (checked when it is read).
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { writeFileAtomic } from "./atomicFile";
import { CultureLabError } from "./errors";
import type { HeadIndex } from "./headIndex";
import type { IndexPart, Postings } from "./indexPart";
import { ENTRY_KINDS, KIND_LETTERS, StoredEntrySchema, encodeEmbedding } from "./schema";
import type { Entry } from "./schema";

/** Version 2 adds the checksums; version 1 segments (written before them) are still read, unchecked. */
const MAGIC = "CLSEG2\n";
const MAGIC_V1 = "CLSEG1\n";
const REBUILD_HINT = "Run `culture-lab kb rebuild` to rebuild kb.json and its segments from events.jsonl.";

type SectionName =
  | "kinds" | "generations" | "lengths" | "lineStarts" | "termBytes" | "termOffsets" | "termStarts" | "postDocs" | "postTfs" | "lineSums";


interface Header {
  count: number;
  totalLength: number;
  dim: number;
  /** CRC-32 of everything after the header (version 2). */
  crc?: number;
  /** CRC-32 of the .vec file, when there is one (version 2). */
  vecCrc?: number;
  sections: Record<SectionName, [offset: number, length: number]>;
}

/** Postings store document numbers as Uint16. */
export const MAX_SEGMENT_ENTRIES = 0x10000 - 2;

export function segmentName(index: number): string {
  return String(index).padStart(6, "0");
}

/**
 * Freezes the head into a segment, ready to search at once; `write()` puts its two files on disk. Until then
 * the segment answers reads from memory, so building it can happen in the same tick as the round's snapshot.
 */
export function buildSegment(dir: string, name: string, firstEntry: number, head: HeadIndex): { segment: Segment; write(): Promise<void> } {
  const count = head.count;
  if (count > MAX_SEGMENT_ENTRIES) throw new Error(`a segment holds at most ${MAX_SEGMENT_ENTRIES} entries`); // the caller bounds rounds
  const dim = head.entries.find((entry) => entry.embedding)?.embedding?.length ?? 0;
  const lines = head.entries.map((entry) => {
    // Archive marks stay mutable, in kb.json; an embedding of the segment's dimension lives in the vectors section.
    const { archived: _archived, embedding, ...sealed } = entry;
    const inVectors = embedding?.length === dim && embedding.some((x) => x !== 0); // a zero vector has no norm to store
    const keep = embedding && !inVectors ? { embedding: encodeEmbedding(embedding) } : {};
    return `${JSON.stringify({ ...sealed, ...keep })}\n`;
  });
  const jsonl = Buffer.from(lines.join(""), "utf8");
  const lineStarts = new Float64Array(count + 1);
  for (let i = 0, at = 0; i < count; i++) {
    lineStarts[i] = at;
    at += Buffer.byteLength(lines[i]!, "utf8");
    lineStarts[i + 1] = at;
  }

  // Sorted by UTF-8 bytes, the order the lookup compares in, so loading needs no string per term. JavaScript's
  // own string order (UTF-16 units) is the same unless a term has a character beyond U+FFFF.
  const terms = [...head.terms.keys()];
  if (terms.some((term) => /[\uD800-\uDFFF]/.test(term))) terms.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  else terms.sort();
  const termBytes = Buffer.from(terms.join(""), "utf8");
  const termOffsets = new Uint32Array(terms.length + 1);
  const termStarts = new Uint32Array(terms.length + 1);
  let postingCount = 0;
  for (let i = 0; i < terms.length; i++) {
    termOffsets[i + 1] = termOffsets[i]! + Buffer.byteLength(terms[i]!, "utf8");
    termStarts[i] = postingCount;
    postingCount += head.terms.get(terms[i]!)!.docs.length;
  }
  termStarts[terms.length] = postingCount;
  const postDocs = new Uint16Array(postingCount);
  const postTfs = new Uint16Array(postingCount);
  for (let i = 0; i < terms.length; i++) {
    const { docs, tfs } = head.terms.get(terms[i]!)!;
    const at = termStarts[i]!;
    for (let j = 0; j < docs.length; j++) {
      postDocs[at + j] = docs[j]!;
      postTfs[at + j] = Math.min(tfs[j]!, 0xffff);
    }
  }

  // .vec: count norms, then count × dim values; a norm of 0 means "no vector of this dimension".
  const vec = new Float32Array(dim === 0 ? 0 : count * (dim + 1));
  head.entries.forEach((entry, doc) => {
    if (dim === 0 || entry.embedding?.length !== dim) return; // other dimensions are not comparable
    vec.set(entry.embedding, count + doc * dim);
    vec[doc] = head.vector(doc)?.norm ?? 0;
  });

  const lineSums = Uint32Array.from(lines, (line) => crc32(line));
  const vecBytes = bytes(vec);
  const sections: Record<SectionName, Uint8Array> = {
    kinds: Uint8Array.from(head.entries, (entry) => ENTRY_KINDS.indexOf(entry.kind)),
    generations: bytes(Int32Array.from(head.entries, (entry) => entry.generation)),
    lengths: bytes(Uint32Array.from(head.lengths)),
    lineStarts: bytes(lineStarts),
    termBytes,
    termOffsets: bytes(termOffsets),
    termStarts: bytes(termStarts),
    postDocs: bytes(postDocs),
    postTfs: bytes(postTfs),
    lineSums: bytes(lineSums),
  };
  const idx = encode({ count, totalLength: head.totalLength, dim, ...(dim > 0 ? { vecCrc: crc32(vecBytes) } : {}) }, sections);

  const segment = new Segment(join(dir, name), firstEntry, decode(idx, join(dir, `${name}.idx`)), jsonl, vec);
  return {
    segment,
    async write() {
      await mkdir(dir, { recursive: true });
      const files = [writeFileAtomic(join(dir, `${name}.jsonl`), jsonl), writeFileAtomic(join(dir, `${name}.idx`), idx)];
      if (dim > 0) files.push(writeFileAtomic(join(dir, `${name}.vec`), vecBytes));
      await Promise.all(files);
      segment.written();
    },
  };
}

export function loadSegment(dir: string, name: string, firstEntry: number, expectedCount: number): Segment {
  const path = join(dir, `${name}.idx`);
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    throw new CultureLabError("kb-segment-missing", `Cannot read segment ${path}: ${(error as Error).message}`, REBUILD_HINT, { cause: error });
  }
  const decoded = decode(file, path);
  if (decoded.header.count !== expectedCount) {
    throw new CultureLabError("kb-segment-corrupt", `${path} holds ${decoded.header.count} entries; kb.json expects ${expectedCount}.`,
      "Run `culture-lab kb rebuild` to rebuild kb.json and its segments from events.jsonl.");
  }
  return new Segment(join(dir, name), firstEntry, decoded);
}

interface Decoded {
  header: Header;
  kinds: Uint8Array;
  generations: Int32Array;
  lengths: Uint32Array;
  lineStarts: Float64Array;
  termBytes: Uint8Array;
  termOffsets: Uint32Array;
  termStarts: Uint32Array;
  postDocs: Uint16Array;
  postTfs: Uint16Array;
  /** CRC-32 of each .jsonl line; undefined in version 1 segments. */
  lineSums?: Uint32Array;
}

export class Segment implements IndexPart {
  readonly count: number;
  readonly totalLength: number;

  constructor(
    /** Path without extension. */
    readonly base: string,
    /** Entry number of the first entry; ids are the kind letter and the entry number, so they need no storage. */
    readonly firstEntry: number,
    private readonly d: Decoded,
    /** The .jsonl bytes while they are not yet on disk. */
    private unwritten?: Buffer,
    /** The .vec contents, once built or read. */
    private vec?: Float32Array,
  ) {
    this.count = d.header.count;
    this.totalLength = d.header.totalLength;
  }

  postings(_term: string, key: Uint8Array): Postings | undefined {
    const { termBytes, termOffsets } = this.d;
    let low = 0;
    let high = termOffsets.length - 2;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const order = compareBytes(key, termBytes, termOffsets[mid]!, termOffsets[mid + 1]!);
      if (order === 0) {
        return { docs: this.d.postDocs, tfs: this.d.postTfs, start: this.d.termStarts[mid]!, end: this.d.termStarts[mid + 1]! };
      }
      if (order > 0) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }

  get lengths(): Uint32Array {
    return this.d.lengths;
  }

  kind(doc: number): number {
    return this.d.kinds[doc]!;
  }

  generation(doc: number): number {
    return this.d.generations[doc]!;
  }

  id(doc: number): string {
    return `${KIND_LETTERS[this.d.kinds[doc]!]}-${(this.firstEntry + doc).toString(36)}`;
  }

  /** For similarity search: reads the whole .vec the first time. */
  vector(doc: number): { values: ArrayLike<number>; norm: number } | undefined {
    const { dim } = this.d.header;
    if (dim === 0) return undefined;
    this.vec ??= this.readVec();
    const norm = this.vec[doc]!;
    if (norm === 0) return undefined;
    const start = this.count + doc * dim;
    return { values: this.vec.subarray(start, start + dim), norm };
  }

  vectorBlock(): { dim: number; norms: Float32Array; values: Float32Array } | undefined {
    const { dim } = this.d.header;
    if (dim === 0) return undefined;
    this.vec ??= this.readVec();
    return { dim, norms: this.vec.subarray(0, this.count), values: this.vec.subarray(this.count) };
  }

  /** One entry's embedding, without reading the whole .vec when it is not loaded. */
  private embeddingOf(doc: number): number[] | undefined {
    const { dim } = this.d.header;
    if (dim === 0) return undefined;
    if (this.vec) {
      const vector = this.vector(doc);
      return vector && Array.from(vector.values);
    }
    const norm = new Float32Array(1);
    const values = new Float32Array(dim);
    const path = `${this.base}.vec`;
    readAt(path, new Uint8Array(norm.buffer), doc * 4);
    if (norm[0] === 0) return undefined;
    readAt(path, new Uint8Array(values.buffer), (this.count + doc * dim) * 4);
    // One vector read alone cannot be checked against the file's CRC; its stored norm checks it instead.
    let sum = 0;
    for (const x of values) sum += x * x;
    if (!(Math.abs(Math.sqrt(sum) - norm[0]!) <= 1e-3 * norm[0]! + 1e-6)) throw segmentDamage(path, `the vector of entry ${this.id(doc)} does not match its stored norm`);
    return Array.from(values);
  }

  private readVec(): Float32Array {
    const path = `${this.base}.vec`;
    const file = readWhole(path);
    if (file.byteLength !== this.count * (this.d.header.dim + 1) * 4) {
      throw segmentDamage(path, `it has the wrong size for ${this.count} vectors of ${this.d.header.dim} dimensions`);
    }
    if (this.d.header.vecCrc !== undefined && crc32(file) !== this.d.header.vecCrc) throw segmentDamage(path, "its checksum does not match");
    const floats = new Float32Array(file.byteLength / 4);
    new Uint8Array(floats.buffer).set(file);
    return floats;
  }

  written(): void {
    this.unwritten = undefined;
  }

  /** One entry, with its embedding: a positioned read of its .jsonl line unless the segment is cached. */
  readEntry(doc: number): Entry {
    if (this.all) return this.withVector(this.all[doc]!, doc);
    const start = this.d.lineStarts[doc]!;
    const length = this.d.lineStarts[doc + 1]! - start;
    const path = `${this.base}.jsonl`;
    if (this.unwritten) return this.withVector(parseEntryLine(this.unwritten.toString("utf8", start, start + length), path), doc);
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(length) && start >= 0 && length > 0 && length < 1 << 30)) {
      throw segmentDamage(`${this.base}.idx`, `the position of entry ${this.id(doc)} is not valid`);
    }
    const buffer = Buffer.alloc(length);
    readAt(path, buffer, start);
    this.checkLine(buffer, doc, path);
    return this.withVector(parseEntryLine(buffer.toString("utf8"), path), doc);
  }

  private checkLine(line: Uint8Array, doc: number, path: string): void {
    const sums = this.d.lineSums;
    if (sums && crc32(line) !== sums[doc]) throw segmentDamage(path, `the line of entry ${this.id(doc)} does not match its checksum`);
  }

  /** The entry with its embedding put back (it lives in .vec, not in the line). */
  withVector(entry: Entry, doc: number): Entry {
    const embedding = this.embeddingOf(doc);
    return embedding ? { ...entry, embedding } : entry;
  }

  /**
   * Every entry of the segment, in order, without the embeddings kept in .vec (see withVector): read once,
   * then kept (a segment never changes), so callers that walk the whole knowledge base every generation pay
   * the parse once per session, not per call.
   */
  readAll(): readonly Entry[] {
    if (this.all) return this.all;
    const path = `${this.base}.jsonl`;
    const file = this.unwritten ?? readWhole(path);
    if (file.byteLength !== this.d.lineStarts[this.count]) {
      throw segmentDamage(path, `it is ${file.byteLength} bytes; its index expects ${this.d.lineStarts[this.count]}`);
    }
    const entries: Entry[] = [];
    for (let doc = 0; doc < this.count; doc++) {
      const line = file.subarray(this.d.lineStarts[doc]!, this.d.lineStarts[doc + 1]!);
      this.checkLine(line, doc, path);
      entries.push(freezeEntry(parseEntryLine(line.toString("utf8"), path)));
    }
    return (this.all = entries);
  }
  private all: readonly Entry[] | undefined;
}

/** Entries are shared between callers and caches, so nobody may change one in place. */
export function freezeEntry(entry: Entry): Entry {
  Object.freeze(entry.cites);
  Object.freeze(entry.tags);
  if (entry.embedding) Object.freeze(entry.embedding);
  return Object.freeze(entry);
}

function parseEntryLine(line: string, path: string): Entry {
  try {
    return StoredEntrySchema.parse(JSON.parse(line));
  } catch (error) {
    throw new CultureLabError("kb-segment-corrupt", `${path} holds an entry that is not valid.`, REBUILD_HINT, { cause: error });
  }
}

function segmentDamage(path: string, why: string): CultureLabError {
  return new CultureLabError("kb-segment-corrupt", `${path} is damaged: ${why}.`, REBUILD_HINT);
}

/** A whole segment file; a missing or unreadable one is reported with the rebuild command. */
function readWhole(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CultureLabError("kb-segment-missing", `Cannot read ${path}: ${(error as Error).message}`, REBUILD_HINT, { cause: error });
  }
}

/** Fills `into` from `path` at `position`; a missing file or a short read is damage, not an internal error. */
function readAt(path: string, into: Uint8Array, position: number): void {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new CultureLabError("kb-segment-missing", `Cannot read ${path}: ${(error as Error).message}`, REBUILD_HINT, { cause: error });
  }
  try {
    const read = readSync(fd, into, 0, into.byteLength, position);
    if (read !== into.byteLength) throw segmentDamage(path, `it ends before byte ${position + into.byteLength}`);
  } finally {
    closeSync(fd);
  }
}

/** Byte order of `key` against blob[start, end), without allocating. */
function compareBytes(key: Uint8Array, blob: Uint8Array, start: number, end: number): number {
  const length = Math.min(key.length, end - start);
  for (let i = 0; i < length; i++) {
    const difference = key[i]! - blob[start + i]!;
    if (difference !== 0) return difference;
  }
  return key.length - (end - start);
}

function bytes(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function encode(meta: Omit<Header, "sections" | "crc">, sections: Record<SectionName, Uint8Array>): Uint8Array {
  // Sections start on 8-byte boundaries so typed arrays can view them in place.
  const layout = {} as Header["sections"];
  let at = 0;
  for (const [name, data] of Object.entries(sections) as [SectionName, Uint8Array][]) {
    layout[name] = [at, data.byteLength];
    at += Math.ceil(data.byteLength / 8) * 8;
  }
  const body = new Uint8Array(at);
  for (const [name, data] of Object.entries(sections) as [SectionName, Uint8Array][]) body.set(data, layout[name][0]);
  const header = Buffer.from(JSON.stringify({ ...meta, crc: crc32(body), sections: layout }), "utf8");
  const prefixLength = Math.ceil((MAGIC.length + 4 + header.length) / 8) * 8;
  const out = new Uint8Array(prefixLength + at);
  out.set(Buffer.from(MAGIC, "latin1"), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  out.set(body, prefixLength);
  return out;
}

function decode(file: Uint8Array, path: string): Decoded {
  const corrupt = (why: string) => new CultureLabError("kb-segment-corrupt", `${path} is not a valid segment index (${why}).`, REBUILD_HINT);
  // Typed arrays need aligned offsets: sections are 8-aligned within the file, so the file's own bytes do if
  // they start 8-aligned in their buffer (fresh reads do); otherwise copy once.
  let own = file;
  if (file.byteOffset % 8 !== 0) {
    own = new Uint8Array(file.byteLength);
    own.set(file);
  }
  if (own.byteLength < MAGIC.length + 4) throw corrupt("too short");
  const magic = Buffer.from(own.subarray(0, MAGIC.length)).toString("latin1");
  if (magic !== MAGIC && magic !== MAGIC_V1) throw corrupt("bad magic");
  const headerLength = new DataView(own.buffer, own.byteOffset, own.byteLength).getUint32(MAGIC.length, true);
  if (MAGIC.length + 4 + headerLength > own.byteLength) throw corrupt("header out of bounds");
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(own.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength)).toString("utf8")) as Header;
  } catch {
    throw corrupt("unreadable header");
  }
  if (typeof header !== "object" || header === null || !Number.isInteger(header.count) || !Number.isInteger(header.dim)) throw corrupt("unreadable header");
  const base = Math.ceil((MAGIC.length + 4 + headerLength) / 8) * 8;
  if (magic === MAGIC && crc32(own.subarray(Math.min(base, own.byteLength))) !== header.crc) throw corrupt("its checksum does not match: the file was changed or damaged");
  const section = (name: SectionName): [number, number] => {
    const where = header.sections?.[name];
    if (!Array.isArray(where) || !where.every((n) => Number.isSafeInteger(n) && n >= 0) || base + where[0] + where[1] > own.byteLength) {
      throw corrupt(`section ${name} out of bounds`);
    }
    return [own.byteOffset + base + where[0], where[1]];
  };
  const view = <T>(name: SectionName, Type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number }): T => {
    const [offset, length] = section(name);
    if (offset % Type.BYTES_PER_ELEMENT !== 0 || length % Type.BYTES_PER_ELEMENT !== 0) throw corrupt(`section ${name} is misaligned`);
    return new Type(own.buffer as ArrayBuffer, offset, length / Type.BYTES_PER_ELEMENT);
  };
  const decoded: Decoded = {
    header,
    kinds: view("kinds", Uint8Array),
    generations: view("generations", Int32Array),
    lengths: view("lengths", Uint32Array),
    lineStarts: view("lineStarts", Float64Array),
    termBytes: view("termBytes", Uint8Array),
    termOffsets: view("termOffsets", Uint32Array),
    termStarts: view("termStarts", Uint32Array),
    postDocs: view("postDocs", Uint16Array),
    postTfs: view("postTfs", Uint16Array),
    ...(magic === MAGIC ? { lineSums: view("lineSums", Uint32Array) } : {}),
  };
  if (decoded.kinds.length !== header.count || decoded.termStarts.length !== decoded.termOffsets.length) throw corrupt("inconsistent sizes");
  if (decoded.lineStarts.length !== header.count + 1 || (decoded.lineSums && decoded.lineSums.length !== header.count)) throw corrupt("inconsistent sizes");
  return decoded;
}
