// Sealed attempts: every attemptChunkSize attempts leave kb.json for an immutable
// .culture/segments/attempts-NNNNNN.jsonl, so the per-round kb.json rewrite stays small however long a session runs.
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { writeFileAtomic } from "./atomicFile";
import { CultureLabError } from "./errors";
import { AttemptSchema } from "./schema";
import type { Attempt } from "./schema";

export function attemptChunkPath(dir: string, name: string): string {
  return join(dir, `attempts-${name}.jsonl`);
}

/** The chunk's bytes now, with their CRC-32 (kept in kb.json), and the write that puts them on disk. */
export function prepareAttemptChunk(dir: string, name: string, attempts: readonly Attempt[]): { crc: number; write(): Promise<void> } {
  const bytes = Buffer.from(attempts.map((attempt) => `${JSON.stringify(attempt)}\n`).join(""), "utf8");
  return {
    crc: crc32(bytes),
    async write() {
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(attemptChunkPath(dir, name), bytes);
    },
  };
}

/** Reads a sealed chunk; `crc` (absent for chunks sealed before checksums) must match its bytes. */
export function readAttemptChunk(dir: string, name: string, expectedCount: number, crc?: number): Attempt[] {
  const path = attemptChunkPath(dir, name);
  const damaged = (why: string, cause?: unknown) =>
    new CultureLabError("kb-segment-corrupt", `${path} ${why}.`, "Run `culture-lab kb rebuild` to rebuild kb.json and its segments from events.jsonl.", { cause });
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CultureLabError("kb-segment-missing", `${path} cannot be read: ${(error as Error).message}.`,
      "Run `culture-lab kb rebuild` to rebuild kb.json and its segments from events.jsonl.", { cause: error });
  }
  if (crc !== undefined && crc32(bytes) !== crc) throw damaged("is damaged: its checksum does not match the one kb.json keeps");
  const text = bytes.toString("utf8");
  const lines = text.split("\n").filter((line) => line.length > 0);
  if (lines.length !== expectedCount) throw damaged(`holds ${lines.length} attempts; kb.json expects ${expectedCount}`);
  return lines.map((line) => {
    try {
      return AttemptSchema.parse(JSON.parse(line));
    } catch (error) {
      throw damaged("holds an attempt that is not valid", error);
    }
  });
}
