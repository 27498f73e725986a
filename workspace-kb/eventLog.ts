// events.jsonl: the append-only, fsynced record of every change, one JSON event a line. A round's events are
// appended in one write that ends with a `commit` line, so anything after the last commit line is a torn round.
import { open, readFile, stat, truncate, writeFile } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { CultureLabError } from "./errors";
import { translatingOsErrors } from "./osError";
import { EventSchema } from "./schema";
import type { KbEvent } from "./schema";

export interface TornTail {
  /** Byte offset where the last complete round ends; everything from here on was not committed. */
  offset: number;
  bytes: number;
  /** Where the torn bytes were saved when the log was repaired (writable open only). */
  savedTo?: string;
}

export interface EventsRead {
  events: KbEvent[];
  /** Byte offset just past the last commit line read (past its newline, once a missing one is added). */
  endOffset: number;
  torn?: TornTail;
  /** The last commit line is complete but lacks its final newline (an editor or a copy dropped it). */
  unterminated?: boolean;
}

/**
 * Reads the committed events from `offset` on (the checkpoint's position), checking that their sequence
 * numbers continue from `afterSeq`, and notices a torn tail. A defect followed by more data is damage in the
 * middle of the log, reported with its line and byte; a defect in the last round is that round torn.
 */
export async function readEvents(path: string, offset: number, afterSeq = 0): Promise<EventsRead> {
  const size = await fileSize(path);
  if (size === undefined) {
    if (offset === 0) return { events: [], endOffset: 0 };
    throw new CultureLabError(
      "kb-events-missing",
      `${path} is missing, but kb.json says it holds ${offset} bytes of events.`,
      "Restore events.jsonl from a backup: it is the durable record, and kb.json cannot be checked or rebuilt without it.",
    );
  }
  if (size === offset - 1 && (await readRange(path, size - 1, 1))[0] !== 10) {
    // The checkpoint's last round is all there; only the newline after its commit line is missing.
    return { events: [], endOffset: offset, unterminated: true };
  }
  if (size < offset) {
    throw new CultureLabError(
      "kb-events-short",
      `${path} is ${size} bytes, shorter than the ${offset} bytes kb.json was built from: the log was truncated or replaced.`,
      "Restore events.jsonl from a backup, or run `culture-lab kb rebuild` to rebuild kb.json from the log as it is now.",
    );
  }
  const buffer = await readRange(path, offset, size - offset);
  const events: KbEvent[] = [];
  const pending: KbEvent[] = [];
  let committedEnd = 0; // relative to `offset`
  let lineStart = 0;
  let expectedSeq = afterSeq + 1;
  let unterminated = false;
  while (lineStart < buffer.length) {
    const newline = buffer.indexOf(10, lineStart);
    const lineEnd = newline === -1 ? buffer.length : newline;
    const parsed = parseLine(buffer.toString("utf8", lineStart, lineEnd));
    const defect = !parsed ? "is not a valid event line" : parsed.seq !== expectedSeq ? `has sequence number ${parsed.seq} where ${expectedSeq} was due` : undefined;
    if (newline === -1) {
      // A last line without its newline: torn, unless it is a whole commit line that only lost the newline.
      if (!defect && parsed!.type === "commit") {
        events.push(...pending, parsed!);
        pending.length = 0;
        committedEnd = buffer.length;
        unterminated = true;
      }
      break;
    }
    if (defect) {
      // A complete but unreadable line followed by more data is damage, not a crash mid-append.
      if (buffer.indexOf(10, newline + 1) !== -1) {
        throw await midLogDefect(path, offset + lineStart, offset + committedEnd, defect);
      }
      break;
    }
    pending.push(parsed!);
    expectedSeq++;
    lineStart = newline + 1;
    if (parsed!.type === "commit") {
      events.push(...pending);
      pending.length = 0;
      committedEnd = lineStart;
    }
  }
  const result: EventsRead = { events, endOffset: offset + committedEnd + (unterminated ? 1 : 0) };
  if (unterminated) result.unterminated = true;
  else if (committedEnd < buffer.length) result.torn = { offset: offset + committedEnd, bytes: buffer.length - committedEnd };
  return result;
}

/** The error for damage in the middle of the log: where it is, what is intact, and what the user can do. */
async function midLogDefect(path: string, at: number, soundUpTo: number, what: string): Promise<CultureLabError> {
  const line = (await countNewlines(path, at)) + 1;
  return new CultureLabError(
    "kb-events-corrupt",
    `${path}: line ${line} (the event at byte ${at}) ${what}, and more events follow it, so this is damage in the middle of the log, not a crash mid-write. ` +
      `Everything before byte ${soundUpTo} (the end of the last whole round before it) is intact. Nothing was changed.`,
    `Restore events.jsonl from a backup; or, to keep only the rounds before the damage, copy events.jsonl aside, cut it with \`truncate -s ${soundUpTo} events.jsonl\`, then run \`culture-lab kb rebuild\`.`,
  );
}

/** The commit line that ends just before `offset` (the checkpoint's position), if it is one. */
export async function readCommitBefore(path: string, offset: number): Promise<Extract<KbEvent, { type: "commit" }> | undefined> {
  const size = await fileSize(path);
  if (offset === 0 || size === undefined || size < offset - 1) return undefined;
  const from = Math.max(0, offset - 4096); // a commit line is about 150 bytes
  let tail = await readRange(path, from, offset - from);
  if (size === offset - 1) tail = Buffer.concat([tail, Buffer.from("\n")]); // only the final newline is missing
  if (tail[tail.length - 1] !== 10) return undefined;
  const start = tail.lastIndexOf(10, tail.length - 2) + 1;
  if (start === 0 && from > 0) return undefined;
  const parsed = parseLine(tail.toString("utf8", start, tail.length - 1));
  return parsed?.type === "commit" ? parsed : undefined;
}

/** Adds the newline a complete last commit line lacks, so the next append starts a line of its own. */
export async function terminateLastLine(path: string): Promise<void> {
  const handle = await open(path, "a");
  try {
    await handle.write("\n");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  return translatingOsErrors(() => readRangeOf(path, offset, length), path);
}

async function readRangeOf(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, offset + read);
      if (bytesRead === 0) return buffer.subarray(0, read);
      read += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}

/** Lines before byte `end`, counted in 1 MiB steps (only on the error path). */
async function countNewlines(path: string, end: number): Promise<number> {
  let count = 0;
  for (let at = 0; at < end; at += 1 << 20) {
    const chunk = await readRange(path, at, Math.min(1 << 20, end - at));
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
  }
  return count;
}

function parseLine(line: string): KbEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const checked = EventSchema.safeParse(json);
  return checked.success ? checked.data : undefined;
}

/** Moves a torn tail aside (nothing is thrown away) and cuts the log back to its last complete round. */
export async function repairTornTail(path: string, torn: TornTail): Promise<TornTail> {
  const whole = await readFile(path);
  const savedTo = `${path}.torn-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  await writeFile(savedTo, whole.subarray(torn.offset));
  await truncate(path, torn.offset);
  return { ...torn, savedTo };
}

/** The session's append handle on events.jsonl. */
export class EventAppender {
  private constructor(
    private readonly handle: FileHandle,
    private size: number,
  ) {}

  static async open(path: string): Promise<EventAppender> {
    const handle = await open(path, "a");
    const { size } = await handle.stat();
    return new EventAppender(handle, size);
  }

  get offset(): number {
    return this.size;
  }

  /** Appends the lines in one write and fsyncs; resolves with the new end offset once they are durable. */
  async append(lines: string): Promise<number> {
    const bytes = Buffer.from(lines, "utf8");
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, written, bytes.length - written);
      written += bytesWritten;
    }
    await this.handle.sync();
    this.size += bytes.length;
    return this.size;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
