// kb.json as a lowdb adapter: read = parse + schema check (a corrupt or unknown-version file is refused by name
// and left alone); write = atomic, one record a line so the file diffs well in git.
import { readFile } from "node:fs/promises";
import { Low } from "lowdb";
import type { Adapter } from "lowdb";
import { writeFileAtomic } from "./atomicFile";
import { CultureLabError } from "./errors";
import { fromOsError } from "./osError";
import { CheckpointSchema, SCHEMA_VERSION, emptyCheckpoint, toStoredEntry } from "./schema";
import type { Checkpoint, StoredEntry } from "./schema";

const REBUILD_HINT = "Run `culture-lab kb rebuild` to rebuild it from events.jsonl (the current file is kept as a backup).";

export class CheckpointFile implements Adapter<Checkpoint> {
  constructor(readonly path: string) {}

  async read(): Promise<Checkpoint | null> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw fromOsError(error, this.path) ?? error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new CultureLabError("kb-corrupt", `${this.path} is not valid JSON (${(error as Error).message}).`, REBUILD_HINT, { cause: error });
    }
    const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (version !== SCHEMA_VERSION) {
      throw new CultureLabError(
        "kb-schema-version",
        `${this.path} has schema version ${JSON.stringify(version)}; this Culture Lab reads version ${SCHEMA_VERSION}.`,
        typeof version === "number" && version > SCHEMA_VERSION
          ? "It was written by a newer Culture Lab: update Culture Lab, or run `culture-lab kb rebuild` if events.jsonl is from this version."
          : REBUILD_HINT,
      );
    }
    const checked = CheckpointSchema.safeParse(json);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new CultureLabError(
        "kb-corrupt",
        `${this.path} does not match the knowledge-base schema (at ${issue?.path.join(".") || "top level"}: ${issue?.message}).`,
        REBUILD_HINT,
      );
    }
    return checked.data;
  }

  async write(data: Checkpoint): Promise<void> {
    await writeFileAtomic(this.path, stringifyCheckpoint({ ...data, head: data.head.map(toStoredEntry) }));
  }
}

/** A lowdb database over kb.json; `data` starts as an empty checkpoint when the file does not exist. */
export function checkpointDb(path: string): Low<Checkpoint> {
  return new Low(new CheckpointFile(path), emptyCheckpoint());
}

/** JSON with every top-level key on its own line and every array element on its own line. */
function stringifyCheckpoint(data: Omit<Checkpoint, "head"> & { head: StoredEntry[] }): string {
  const fields = Object.entries(data).map(([key, value]) => {
    const body = Array.isArray(value)
      ? value.length === 0
        ? "[]"
        : `[\n${value.map((item) => `  ${JSON.stringify(item)}`).join(",\n")}\n ]`
      : JSON.stringify(value);
    return ` ${JSON.stringify(key)}: ${body}`;
  });
  return `{\n${fields.join(",\n")}\n}\n`;
}
