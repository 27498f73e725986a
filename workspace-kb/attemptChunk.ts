// Sealed attempts: every attemptChunkSize attempts leave kb.json for an immutable
// .culture/segments/attempts-NNNNNN.jsonl, so the per-round kb.json rewrite stays small however long a session runs.
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomicFile";
import { CultureLabError } from "./errors";
import { AttemptSchema } from "./schema";
import type { Attempt } from "./schema";

export function attemptChunkPath(dir: string, name: string): string {
  return join(dir, `attempts-${name}.jsonl`);
}

export async function writeAttemptChunk(dir: string, name: string, attempts: readonly Attempt[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(attemptChunkPath(dir, name), attempts.map((attempt) => `${JSON.stringify(attempt)}\n`).join(""));
}

export function readAttemptChunk(dir: string, name: string, expectedCount: number): Attempt[] {
  const path = attemptChunkPath(dir, name);
  const damaged = (why: string, cause?: unknown) =>
    new CultureLabError("kb-segment-corrupt", `${path} ${why}.`, "Run `culture-lab kb rebuild` to rebuild kb.json and its segments from events.jsonl.", { cause });
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw damaged("cannot be read", error);
  }
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
