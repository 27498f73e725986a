// The shapes of everything the knowledge base stores, checked with zod wherever they enter: from callers (the
// door for model output), from events.jsonl and from kb.json (the doors for files on disk).
import { z } from "zod";
import { MAX_DATA_DEPTH, jsonProblem } from "./boundedJson";
import type { JsonValue } from "./boundedJson";

/** Bumped when kb.json or events.jsonl change shape; an unknown version is refused, never overwritten. */
export const SCHEMA_VERSION = 1;

export const ENTRY_KINDS = ["note", "chapter", "problem", "human"] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];
/** The first letter of an entry id, by kind, in ENTRY_KINDS order: "n-2s" is a note. */
export const KIND_LETTERS = ["n", "c", "p", "h"] as const;

/** Bounds at the door: generous for real notes, small enough that one entry cannot swamp a round or the file. */
export const LIMITS = {
  titleChars: 300,
  textChars: 100_000,
  tags: 32,
  tagChars: 64,
  cites: 256,
  dataBytes: 64 * 1024,
  embeddingDims: 8192,
} as const;

const agentName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:@-]+$/, "letters, digits and . _ : @ - only");
const isoTime = z.iso.datetime({ offset: true });
const generation = z.number().int().min(0);

/**
 * Kind-specific payload (e.g. a problem's program): plain JSON nested at most MAX_DATA_DEPTH levels and at most
 * LIMITS.dataBytes once serialised. Checked without recursion (z.json() recurses, and a value nested 1,500
 * levels deep overflowed the stack), here at the door and again for every record read back from disk.
 */
const boundedJson = z.custom<JsonValue>().superRefine((value, ctx) => {
  const problem = jsonProblem(value, MAX_DATA_DEPTH);
  if (problem) ctx.addIssue({ code: "custom", message: `data must be plain JSON nested at most ${MAX_DATA_DEPTH} levels; ${problem}` });
  else if (JSON.stringify(value).length > LIMITS.dataBytes) ctx.addIssue({ code: "custom", message: `data must serialise to at most ${LIMITS.dataBytes} bytes` });
});

/** What a caller hands in; the store adds id and createdAt. */
export const NewEntrySchema = z.object({
  kind: z.enum(ENTRY_KINDS),
  author: agentName,
  generation,
  title: z.string().max(LIMITS.titleChars),
  text: z.string().max(LIMITS.textChars),
  cites: z.array(z.string().max(64)).max(LIMITS.cites).default([]),
  tags: z.array(z.string().min(1).max(LIMITS.tagChars)).max(LIMITS.tags).default([]),
  data: boundedJson.optional(),
  embedding: z.array(z.number().finite()).min(1).max(LIMITS.embeddingDims).optional(),
});
export type NewEntry = z.input<typeof NewEntrySchema>;

export const ArchiveMarkSchema = z.object({ at: isoTime, reason: z.string().max(500) });
export type ArchiveMark = z.infer<typeof ArchiveMarkSchema>;

/** Entry ids are made by the store: kind letter, dash, entry number in base 36 (e.g. "n-2s"). */
export const EntryIdSchema = z.string().regex(/^[a-z]-[0-9a-z]{1,12}$/);

export const EntrySchema = NewEntrySchema.extend({
  id: EntryIdSchema,
  createdAt: isoTime,
  archived: ArchiveMarkSchema.optional(),
});
export type Entry = z.infer<typeof EntrySchema>;

/** Embeddings at rest (events, kb.json, segments): little-endian float32 in base64, a quarter the size of JSON numbers. */
export function encodeEmbedding(values: readonly number[]): string {
  return Buffer.from(Float32Array.from(values).buffer).toString("base64");
}

export function decodeEmbedding(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength - (bytes.byteLength % 4)));
  return Array.from(floats);
}

/** An entry as stored: the embedding is base64 float32; parsing gives back an Entry. */
export const StoredEntrySchema = EntrySchema.extend({
  embedding: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).max(Math.ceil((LIMITS.embeddingDims * 4) / 3) + 4).optional(),
}).transform((stored, ctx): Entry => {
  const { embedding, ...rest } = stored;
  if (embedding === undefined) return rest;
  const values = decodeEmbedding(embedding);
  if (values.length === 0 || Buffer.from(embedding, "base64").byteLength % 4 !== 0 || !values.every(Number.isFinite)) {
    ctx.issues.push({ code: "custom", message: "embedding is not a list of finite float32 values", input: embedding, path: ["embedding"] });
  }
  return { ...rest, embedding: values };
});
export type StoredEntry = z.input<typeof StoredEntrySchema>;

export function toStoredEntry(entry: Entry): StoredEntry {
  const { embedding, ...rest } = entry;
  return embedding === undefined ? rest : { ...rest, embedding: encodeEmbedding(embedding) };
}

export const NewAttemptSchema = z.object({
  problemId: z.string().min(1).max(64),
  agentId: agentName,
  generation,
  answer: z.string().max(LIMITS.textChars),
  correct: z.boolean(),
  cites: z.array(z.string().max(64)).max(LIMITS.cites).default([]),
  /** Whether the agent could read the knowledge base for this attempt (the with/without-KB comparison). */
  usedKb: z.boolean().default(true),
  durationMs: z.number().min(0).optional(),
  data: boundedJson.optional(),
});
export type NewAttempt = z.input<typeof NewAttemptSchema>;
export const AttemptSchema = NewAttemptSchema.extend({ id: z.string().min(1).max(64), createdAt: isoTime });
export type Attempt = z.infer<typeof AttemptSchema>;

export const AgentSchema = z.object({
  id: agentName,
  persona: z.string().max(4000),
  seed: z.number().int(),
  model: z.string().max(500),
  bornGeneration: generation,
  retiredGeneration: generation.optional(),
});
export type Agent = z.infer<typeof AgentSchema>;

export const GenerationSchema = z.object({
  generation,
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  data: boundedJson.optional(),
});
export type Generation = z.infer<typeof GenerationSchema>;

export const MetricSnapshotSchema = z.object({
  generation,
  /** Which slice of the KB the values describe, e.g. "generation" or "last-3-generations". */
  window: z.string().min(1).max(64),
  values: z.record(z.string().max(64), z.number()),
  at: isoTime,
});
export type MetricSnapshot = z.infer<typeof MetricSnapshotSchema>;

/** One line of events.jsonl. `seq` numbers every event; a round ends with a `commit` line. */
export const EventSchema = z.discriminatedUnion("type", [
  z.object({ seq: z.number().int(), type: z.literal("entry"), entry: StoredEntrySchema }),
  z.object({ seq: z.number().int(), type: z.literal("archive"), id: z.string(), mark: ArchiveMarkSchema }),
  z.object({ seq: z.number().int(), type: z.literal("attempt"), attempt: AttemptSchema }),
  z.object({ seq: z.number().int(), type: z.literal("agent"), agent: AgentSchema }),
  z.object({ seq: z.number().int(), type: z.literal("generation"), generation: GenerationSchema }),
  z.object({ seq: z.number().int(), type: z.literal("metrics"), snapshot: MetricSnapshotSchema }),
  z.object({ seq: z.number().int(), type: z.literal("human-ingested"), hash: z.string() }),
  z.object({
    seq: z.number().int(),
    type: z.literal("commit"),
    round: z.number().int().min(1),
    at: isoTime,
    schemaVersion: z.number().int(),
    /** What the base holds after this round, so a checkpoint or a replay can be checked (absent in older logs). */
    entries: z.number().int().min(0).optional(),
    attempts: z.number().int().min(0).optional(),
    agents: z.number().int().min(0).optional(),
    generations: z.number().int().min(0).optional(),
    metrics: z.number().int().min(0).optional(),
    archived: z.number().int().min(0).optional(),
  }),
]);
/** An event as the code sees it (entries with number[] embeddings); serializeEvent gives the stored line. */
export type KbEvent = z.infer<typeof EventSchema>;
/** An event before the log numbers it. */
export type StagedEvent = KbEvent extends infer E ? (E extends { seq: number } ? Omit<E, "seq"> : never) : never;

/** A sealed, immutable run of entries (see segmentIndex.ts). */
export const SegmentRefSchema = z.object({
  name: z.string().regex(/^\d{6}$/),
  count: z.number().int().min(1),
  /** Entry numbers covered, [first, last]. */
  firstEntry: z.number().int().min(0),
  lastEntry: z.number().int().min(0),
});
export type SegmentRef = z.infer<typeof SegmentRefSchema>;

/**
 * kb.json, the lowdb document: a checkpoint of the state as of event `seq` (byte `eventsOffset` of
 * events.jsonl). Entries older than the head live in sealed segments; everything else is here.
 */
export const CheckpointSchema = z.object({
  schemaVersion: z.number().int(),
  seq: z.number().int().min(0),
  round: z.number().int().min(0),
  eventsOffset: z.number().int().min(0),
  entryCount: z.number().int().min(0),
  segments: z.array(SegmentRefSchema),
  head: z.array(StoredEntrySchema),
  /** Archive marks for entries that already sit in an immutable segment. */
  archivedSealed: z.record(z.string(), ArchiveMarkSchema),
  /** Attempts not yet sealed into an attempts chunk. */
  attempts: z.array(AttemptSchema),
  attemptCount: z.number().int().min(0),
  /** `crc`: CRC-32 of the chunk file (absent for chunks sealed before checksums). */
  attemptChunks: z.array(z.object({ name: z.string().regex(/^\d{6}$/), count: z.number().int().min(1), crc: z.number().int().min(0).optional() })),
  agents: z.array(AgentSchema),
  generations: z.array(GenerationSchema),
  metrics: z.array(MetricSnapshotSchema),
  humanIngested: z.array(z.string()),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** The line events.jsonl stores for an event. */
export function serializeEvent(event: KbEvent): string {
  return JSON.stringify(event.type === "entry" ? { ...event, entry: toStoredEntry(event.entry) } : event);
}

export function emptyCheckpoint(): Checkpoint {
  return {
    schemaVersion: SCHEMA_VERSION,
    seq: 0,
    round: 0,
    eventsOffset: 0,
    entryCount: 0,
    segments: [],
    head: [],
    archivedSealed: {},
    attempts: [],
    attemptCount: 0,
    attemptChunks: [],
    agents: [],
    generations: [],
    metrics: [],
    humanIngested: [],
  };
}
