// events.jsonl: the append-only, fsynced record of every change, one JSON event a line. A round's events are
// appended in one write that ends with a `commit` line, so anything after the last commit line is a torn round.
import { open, readFile, stat, truncate, writeFile } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { CultureLabError } from "./errors";
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
  /** Byte offset just past the last commit line read. */
  endOffset: number;
  torn?: TornTail;
}

/** Reads the committed events from `offset` on (the checkpoint's position) and notices a torn tail. */
export async function readEvents(path: string, offset: number): Promise<EventsRead> {
  const size = await fileSize(path);
  if (size === undefined) {
    if (offset === 0) return { events: [], endOffset: 0 };
    throw new CultureLabError(
      "kb-events-missing",
      `${path} is missing, but kb.json says it holds ${offset} bytes of events.`,
      "Restore events.jsonl from a backup: it is the durable record, and kb.json cannot be checked or rebuilt without it.",
    );
  }
  if (size < offset) {
    throw new CultureLabError(
      "kb-events-short",
      `${path} is ${size} bytes, shorter than the ${offset} bytes kb.json was built from: the log was truncated or replaced.`,
      "Restore events.jsonl from a backup, or run `culture-lab kb rebuild` to rebuild kb.json from the log as it is now.",
    );
  }
  const handle = await open(path, "r");
  let buffer: Buffer;
  try {
    buffer = Buffer.alloc(size - offset);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
  } finally {
    await handle.close();
  }
  const events: KbEvent[] = [];
  const pending: KbEvent[] = [];
  let committedEnd = 0; // relative to `offset`
  let lineStart = 0;
  let lineNumber = 0;
  while (lineStart < buffer.length) {
    const newline = buffer.indexOf(10, lineStart);
    if (newline === -1) break; // a last line without its newline: torn
    lineNumber++;
    const line = buffer.toString("utf8", lineStart, newline);
    const parsed = parseLine(line);
    if (!parsed) {
      // A complete but unreadable line followed by more data is damage, not a crash mid-append.
      if (buffer.indexOf(10, newline + 1) !== -1) {
        throw new CultureLabError(
          "kb-events-corrupt",
          `${path}: the event at byte ${offset + lineStart} is not a valid event line.`,
          "The log is damaged in the middle; restore it from a backup (kb.json is left untouched).",
        );
      }
      break;
    }
    pending.push(parsed);
    lineStart = newline + 1;
    if (parsed.type === "commit") {
      events.push(...pending);
      pending.length = 0;
      committedEnd = lineStart;
    }
  }
  const result: EventsRead = { events, endOffset: offset + committedEnd };
  if (committedEnd < buffer.length) result.torn = { offset: offset + committedEnd, bytes: buffer.length - committedEnd };
  return result;
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
