// A run's calls.jsonl, read incrementally. A live run is read again after every generation (the session rewrites
// its report, the panel reads the run's per-agent rows), and a whole read grows with the run: about a second for
// 2,000 generations of 12 calls with 2 KB prompts, 60 MB (`npm run bench:record`). The calls parsed last time are
// kept, for the two runs read last, so a read parses only the lines appended since.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { CultureLabError } from "../../workspace-kb/errors";
import type { CallRecord } from "./runRecorder";

interface Parsed {
  dev: number;
  ino: number;
  /** Bytes of the file parsed: every complete line so far. */
  bytes: number;
  /** The file's last bytes before `bytes`: a file rewritten in place rather than appended to differs there. */
  edge: Buffer;
  calls: CallRecord[];
}

export interface ReadCalls {
  calls: CallRecord[];
  /** The last line was cut short (a run killed mid-write); the complete lines are kept. */
  tornTail: boolean;
  /** Bytes this read parsed: what was appended since the last read of the same file, or all of it. */
  parsedBytes: number;
}

const KEPT_RUNS = 2;
const EDGE_BYTES = 64;
const parsedFiles = new Map<string, Parsed>();

export function readCalls(path: string): ReadCalls {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    parsedFiles.delete(path);
    return { calls: [], tornTail: false, parsedBytes: 0 };
  }
  try {
    const { dev, ino, size } = fstatSync(fd);
    const cached = parsedFiles.get(path);
    const appendedTo = cached && cached.dev === dev && cached.ino === ino && size >= cached.bytes && readAt(fd, cached.bytes - cached.edge.length, cached.edge.length).equals(cached.edge);
    const known: Parsed = appendedTo ? cached : { dev, ino, bytes: 0, edge: Buffer.alloc(0), calls: [] };
    const added = readAt(fd, known.bytes, size - known.bytes);
    // A newline byte never occurs inside a multi-byte UTF-8 character, so complete lines decode on their own.
    const complete = added.lastIndexOf(0x0a) + 1;
    const lines = added.subarray(0, complete).toString("utf8").split("\n");
    lines.pop();
    const calls = lines.map((line, index) => {
      try {
        return JSON.parse(line) as CallRecord;
      } catch {
        throw new CultureLabError("run-corrupt", `${path} line ${known.calls.length + index + 1} is not JSON.`, "The run record was edited or damaged; replay needs an intact record.");
      }
    });
    const bytes = known.bytes + complete;
    const edgeStart = Math.max(0, bytes - EDGE_BYTES);
    const parsed: Parsed = { dev, ino, bytes, edge: readAt(fd, edgeStart, bytes - edgeStart), calls: known.calls.concat(calls) };
    parsedFiles.delete(path);
    parsedFiles.set(path, parsed);
    for (const oldest of parsedFiles.keys()) if (parsedFiles.size > KEPT_RUNS) parsedFiles.delete(oldest);
    return { calls: parsed.calls.slice(), tornTail: added.subarray(complete).toString("utf8").trim() !== "", parsedBytes: added.length };
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}
