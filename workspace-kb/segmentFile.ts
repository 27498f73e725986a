// A sealed segment: a run of entries frozen into two immutable files under .culture/segments/ —
// NNNNNN.jsonl (the entries, one a line) and NNNNNN.idx (BM25 postings, per-document columns and vectors as
// typed arrays). Opening a big knowledge base then reads compact binary instead of parsing every entry.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomicFile";
import { CultureLabError } from "./errors";
import type { HeadIndex } from "./headIndex";
import type { IndexPart, Postings } from "./indexPart";
import { ENTRY_KINDS, StoredEntrySchema, encodeEmbedding } from "./schema";
import type { Entry } from "./schema";

const MAGIC = "CLSEG1\n";

type SectionName =
  | "ids" | "kinds" | "generations" | "lengths" | "lineStarts" | "terms" | "termStarts" | "postDocs" | "postTfs"
  | "vectors" | "norms";

interface Header {
  count: number;
  totalLength: number;
  dim: number;
  sections: Record<SectionName, [offset: number, length: number]>;
}

export function segmentName(index: number): string {
  return String(index).padStart(6, "0");
}

/** Freezes the head into a segment's two files and returns it, ready to search. */
export async function writeSegment(dir: string, name: string, head: HeadIndex): Promise<Segment> {
  const count = head.count;
  if (count > 0xffff) throw new Error("a segment holds at most 65535 entries"); // postDocs are Uint16
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

  const terms = [...head.terms.keys()].sort();
  const termStarts = new Uint32Array(terms.length + 1);
  let postingCount = 0;
  for (const [i, term] of terms.entries()) {
    termStarts[i] = postingCount;
    postingCount += head.terms.get(term)!.docs.length;
  }
  termStarts[terms.length] = postingCount;
  const postDocs = new Uint16Array(postingCount);
  const postTfs = new Uint16Array(postingCount);
  for (const [i, term] of terms.entries()) {
    const postings = head.terms.get(term)!;
    postDocs.set(postings.docs, termStarts[i]!);
    postTfs.set(postings.tfs.map((tf) => Math.min(tf, 0xffff)), termStarts[i]!);
  }

  const vectors = new Float32Array(count * dim);
  const norms = new Float32Array(count);
  head.entries.forEach((entry, doc) => {
    if (dim === 0 || entry.embedding?.length !== dim) return; // other dimensions are not comparable
    vectors.set(entry.embedding, doc * dim);
    norms[doc] = head.vector(doc)!.norm;
  });

  const sections: Record<SectionName, Uint8Array> = {
    ids: Buffer.from(head.entries.map((entry) => entry.id).join("\n"), "utf8"),
    kinds: Uint8Array.from(head.entries, (entry) => ENTRY_KINDS.indexOf(entry.kind)),
    generations: bytes(Int32Array.from(head.entries, (entry) => entry.generation)),
    lengths: bytes(Uint32Array.from(head.lengths)),
    lineStarts: bytes(lineStarts),
    terms: Buffer.from(terms.join("\n"), "utf8"),
    termStarts: bytes(termStarts),
    postDocs: bytes(postDocs),
    postTfs: bytes(postTfs),
    vectors: bytes(vectors),
    norms: bytes(norms),
  };
  const idx = encode({ count, totalLength: head.totalLength, dim }, sections);

  await Promise.all([writeFileAtomic(join(dir, `${name}.jsonl`), jsonl), writeFileAtomic(join(dir, `${name}.idx`), idx)]);
  return new Segment(join(dir, name), decode(idx, join(dir, `${name}.idx`)));
}

export function loadSegment(dir: string, name: string, expectedCount: number): Segment {
  const path = join(dir, `${name}.idx`);
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    throw new CultureLabError("kb-segment-missing", `Cannot read segment ${path}: ${(error as Error).message}`,
      "Run `culture-lab kb rebuild` to rebuild kb.json and its segments from events.jsonl.", { cause: error });
  }
  const decoded = decode(file, path);
  if (decoded.header.count !== expectedCount) {
    throw new CultureLabError("kb-segment-corrupt", `${path} holds ${decoded.header.count} entries; kb.json expects ${expectedCount}.`,
      "Run `culture-lab kb rebuild` to rebuild kb.json and its segments from events.jsonl.");
  }
  return new Segment(join(dir, name), decoded);
}

interface Decoded {
  header: Header;
  ids: string[];
  kinds: Uint8Array;
  generations: Int32Array;
  lengths: Uint32Array;
  lineStarts: Float64Array;
  terms: string[];
  termStarts: Uint32Array;
  postDocs: Uint16Array;
  postTfs: Uint16Array;
  vectors: Float32Array;
  norms: Float32Array;
}

export class Segment implements IndexPart {
  readonly count: number;
  readonly totalLength: number;

  constructor(
    /** Path without extension. */
    readonly base: string,
    private readonly d: Decoded,
  ) {
    this.count = d.header.count;
    this.totalLength = d.header.totalLength;
  }

  get ids(): readonly string[] {
    return this.d.ids;
  }

  postings(term: string): Postings | undefined {
    const terms = this.d.terms;
    let low = 0;
    let high = terms.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const probe = terms[mid]!;
      if (probe === term) {
        return { docs: this.d.postDocs, tfs: this.d.postTfs, start: this.d.termStarts[mid]!, end: this.d.termStarts[mid + 1]! };
      }
      if (probe < term) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }

  docLength(doc: number): number {
    return this.d.lengths[doc]!;
  }

  kind(doc: number): number {
    return this.d.kinds[doc]!;
  }

  generation(doc: number): number {
    return this.d.generations[doc]!;
  }

  id(doc: number): string {
    return this.d.ids[doc]!;
  }

  vector(doc: number): { values: ArrayLike<number>; norm: number } | undefined {
    const { dim } = this.d.header;
    const norm = this.d.norms[doc]!;
    if (dim === 0 || norm === 0) return undefined;
    return { values: this.d.vectors.subarray(doc * dim, (doc + 1) * dim), norm };
  }

  /** Reads one entry's line from the .jsonl (a positioned read, not the whole file). */
  readEntry(doc: number): Entry {
    const start = this.d.lineStarts[doc]!;
    const length = this.d.lineStarts[doc + 1]! - start;
    const path = `${this.base}.jsonl`;
    const buffer = Buffer.alloc(length);
    const fd = openSync(path, "r");
    try {
      readSync(fd, buffer, 0, length, start);
    } finally {
      closeSync(fd);
    }
    return this.withVector(parseEntryLine(buffer.toString("utf8"), path), doc);
  }

  private withVector(entry: Entry, doc: number): Entry {
    const vector = this.vector(doc);
    return vector ? { ...entry, embedding: Array.from(vector.values) } : entry;
  }

  /** Every entry of the segment, in order. */
  readAll(): Entry[] {
    const path = `${this.base}.jsonl`;
    const text = readFileSync(path, "utf8");
    return text.split("\n").filter((line) => line.length > 0).map((line, doc) => this.withVector(parseEntryLine(line, path), doc));
  }
}

function parseEntryLine(line: string, path: string): Entry {
  try {
    return StoredEntrySchema.parse(JSON.parse(line));
  } catch (error) {
    throw new CultureLabError("kb-segment-corrupt", `${path} holds an entry that is not valid.`,
      "Run `culture-lab kb rebuild` to rebuild kb.json and its segments from events.jsonl.", { cause: error });
  }
}

function bytes(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function encode(meta: Omit<Header, "sections">, sections: Record<SectionName, Uint8Array>): Uint8Array {
  // Sections start on 8-byte boundaries so typed arrays can view them in place.
  const layout = {} as Header["sections"];
  let at = 0;
  for (const [name, data] of Object.entries(sections) as [SectionName, Uint8Array][]) {
    layout[name] = [at, data.byteLength];
    at += Math.ceil(data.byteLength / 8) * 8;
  }
  const header = Buffer.from(JSON.stringify({ ...meta, sections: layout }), "utf8");
  const prefixLength = Math.ceil((MAGIC.length + 4 + header.length) / 8) * 8;
  const out = new Uint8Array(prefixLength + at);
  out.set(Buffer.from(MAGIC, "latin1"), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  for (const [name, data] of Object.entries(sections) as [SectionName, Uint8Array][]) out.set(data, prefixLength + layout[name][0]);
  return out;
}

function decode(file: Uint8Array, path: string): Decoded {
  const corrupt = (why: string) =>
    new CultureLabError("kb-segment-corrupt", `${path} is not a valid segment index (${why}).`,
      "Run `culture-lab kb rebuild` to rebuild kb.json and its segments from events.jsonl.");
  // Own the bytes at offset 0 so every section is aligned for its typed array.
  const own = new Uint8Array(file.byteLength);
  own.set(file);
  if (Buffer.from(own.subarray(0, MAGIC.length)).toString("latin1") !== MAGIC) throw corrupt("bad magic");
  const headerLength = new DataView(own.buffer).getUint32(MAGIC.length, true);
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(own.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength)).toString("utf8")) as Header;
  } catch {
    throw corrupt("unreadable header");
  }
  const base = Math.ceil((MAGIC.length + 4 + headerLength) / 8) * 8;
  const section = (name: SectionName): [number, number] => {
    const where = header.sections?.[name];
    if (!where || base + where[0] + where[1] > own.byteLength) throw corrupt(`section ${name} out of bounds`);
    return [base + where[0], where[1]];
  };
  const view = <T>(name: SectionName, Type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number }): T => {
    const [offset, length] = section(name);
    return new Type(own.buffer, offset, length / Type.BYTES_PER_ELEMENT);
  };
  const text = (name: SectionName): string[] => {
    const [offset, length] = section(name);
    const joined = Buffer.from(own.buffer, offset, length).toString("utf8");
    return joined.length === 0 ? [] : joined.split("\n");
  };
  const decoded: Decoded = {
    header,
    ids: text("ids"),
    kinds: view("kinds", Uint8Array),
    generations: view("generations", Int32Array),
    lengths: view("lengths", Uint32Array),
    lineStarts: view("lineStarts", Float64Array),
    terms: text("terms"),
    termStarts: view("termStarts", Uint32Array),
    postDocs: view("postDocs", Uint16Array),
    postTfs: view("postTfs", Uint16Array),
    vectors: view("vectors", Float32Array),
    norms: view("norms", Float32Array),
  };
  if (decoded.ids.length !== header.count || decoded.termStarts.length !== decoded.terms.length + 1) throw corrupt("inconsistent sizes");
  return decoded;
}
