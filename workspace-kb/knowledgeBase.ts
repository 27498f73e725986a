// The shared knowledge base of one workspace (.culture/): changes are staged in memory and made durable once
// per round by commitRound(): events.jsonl (append + fsync) first, then kb.json (lowdb checkpoint, atomic),
// then NOTES.md (atomic). kb.json records the last event it contains, so open = load checkpoint + replay the
// rest, and old entries live in immutable segments so neither opening nor a round grows with the whole history.
import { mkdir, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { prepareAttemptChunk, readAttemptChunk } from "./attemptChunk";
import { checkCheckpoint } from "./checkpointCheck";
import { checkpointDb } from "./checkpointFile";
import { EventAppender, readEvents, repairTornTail, terminateLastLine } from "./eventLog";
import type { TornTail } from "./eventLog";
import { CultureLabError } from "./errors";
import { HeadIndex } from "./headIndex";
import { fromOsError, translatingOsErrors } from "./osError";
import { parseHumanNotes } from "./humanNotes";
import type { RefusedNote } from "./humanNotes";
import type { IndexPart } from "./indexPart";
import { userPart } from "./notesFile";
import { prepareArchivePage, writeNotesFile } from "./notesWriter";
import {
  AgentSchema, AttemptSchema, ENTRY_KINDS, GenerationSchema, KIND_LETTERS, MetricSnapshotSchema, NewAttemptSchema,
  NewEntrySchema, SCHEMA_VERSION, emptyCheckpoint, serializeEvent,
} from "./schema";
import type {
  Agent, ArchiveMark, Attempt, Checkpoint, Entry, EntryKind, Generation, KbEvent, MetricSnapshot, NewAttempt,
  NewEntry, SegmentRef, StagedEvent,
} from "./schema";
import { bm25, cosine, fuse } from "./search";
import type { Hit, SearchFilter } from "./search";
import { MAX_SEGMENT_ENTRIES, buildSegment, freezeEntry, loadSegment, segmentName } from "./segmentFile";
import type { Segment } from "./segmentFile";
import { acquireSessionLock } from "./sessionLock";
import type { SessionLock } from "./sessionLock";

export interface OpenOptions {
  /** The knowledge-base folder inside the workspace; ".culture" unless configured. */
  folder?: string;
  signal?: AbortSignal;
  /** Entries per sealed segment (and per archive page of the notes file). */
  segmentSize?: number;
  /** Attempts kept in kb.json before they are sealed into a chunk file. */
  attemptChunkSize?: number;
}

export interface KbPaths {
  folder: string;
  kbJson: string;
  events: string;
  notes: string;
  segments: string;
  pages: string;
}

export interface OpenReport {
  /** Committed events replayed on top of kb.json (non-zero after a crash between the log and the checkpoint). */
  replayedEvents: number;
  /** A crash mid-append left an incomplete round at the end of events.jsonl. */
  tornTail?: TornTail;
}

export interface RoundReceipt {
  round: number;
  firstSeq: number;
  lastSeq: number;
  /** Ids of the entries this round made durable, including ingested human notes. */
  entryIds: string[];
  events: number;
  humanNotesIngested: number;
  /** Human notes not taken this round (not UTF-8, too long, hidden by an unclosed comment), and why. */
  humanNotesRefused: RefusedNote[];
  /** Segments sealed by this round. */
  sealed: string[];
  /**
   * Milliseconds: reading NOTES.md for human notes and taking the round's snapshot (building a sealed
   * segment's index and archive page), then writing each file in order.
   */
  timings: { prepare: number; events: number; seal: number; kbJson: number; notes: number };
}

export interface SearchOptions extends SearchFilter {
  k?: number;
}

export interface SearchResult {
  entry: Entry;
  score: number;
}

const KIND_LETTER = Object.fromEntries(ENTRY_KINDS.map((kind, i) => [kind, KIND_LETTERS[i]])) as Record<EntryKind, string>;
const DEFAULT_SEGMENT_SIZE = 1000;
const DEFAULT_ATTEMPT_CHUNK = 5000;

/** Where an entry is: document `doc` of segment `segment`, or of the open head when `segment` is -1. */
type Location = { segment: number; doc: number };

export function kbPaths(workspaceDir: string, folder = ".culture"): KbPaths {
  const root = join(workspaceDir, folder);
  return {
    folder: root,
    kbJson: join(root, "kb.json"),
    events: join(root, "events.jsonl"),
    notes: join(root, "NOTES.md"),
    segments: join(root, "segments"),
    pages: join(root, "notes"),
  };
}

/** Opens the workspace's knowledge base for writing, taking the single-writer lock. */
export async function openKnowledgeBase(workspaceDir: string, options: OpenOptions = {}): Promise<KnowledgeBase> {
  return translatingOsErrors(async () => {
    await refuseKnowledgeBaseAsWorkspace(workspaceDir, options.folder);
    return KnowledgeBase.open(workspaceDir, options, "write");
  });
}

/**
 * `--workspace demo/.culture` would quietly start a second, empty knowledge base at demo/.culture/.culture:
 * a folder that holds a knowledge base's own files and no knowledge-base folder of its own is refused.
 */
async function refuseKnowledgeBaseAsWorkspace(workspaceDir: string, folder = ".culture"): Promise<void> {
  if (await exists(join(workspaceDir, folder))) return;
  const own = kbPaths(workspaceDir, ".");
  if (!(await exists(own.kbJson)) && !(await exists(own.events))) return;
  throw new CultureLabError(
    "workspace-is-kb",
    `${workspaceDir} is a knowledge-base folder itself (it holds ${(await exists(own.kbJson)) ? "kb.json" : "events.jsonl"}), not a workspace.`,
    `Pass the folder that contains it: --workspace ${dirname(workspaceDir)}`,
  );
}

/** Opens a snapshot for reading (panel, `kb status`): no lock, no writes; a tail being appended reads as torn. */
export async function openKnowledgeBaseReadOnly(workspaceDir: string, options: OpenOptions = {}): Promise<KnowledgeBase> {
  return translatingOsErrors(() => KnowledgeBase.open(workspaceDir, options, "read"));
}

/**
 * Rebuilds kb.json, the segments and the notes pages from events.jsonl alone. They are built in a new folder
 * (.culture/rebuild-<time>) and swapped in only when the whole log was read; the old ones are kept as
 * `kb.json.bak-<time>`, `segments.bak-<time>` and `notes.bak-<time>`. If the log cannot be read, nothing
 * outside that folder was changed, and the error says so.
 */
export async function rebuildKnowledgeBase(workspaceDir: string, options: OpenOptions = {}): Promise<{ kb: KnowledgeBase; backups: string[] }> {
  return translatingOsErrors(() => rebuild(workspaceDir, options));
}

async function rebuild(workspaceDir: string, options: OpenOptions): Promise<{ kb: KnowledgeBase; backups: string[] }> {
  const paths = kbPaths(workspaceDir, options.folder);
  if (!(await exists(paths.events))) {
    throw new CultureLabError("kb-events-missing", `There is no ${paths.events} to rebuild from.`, "Check the workspace folder and the `folder` setting.");
  }
  const lock = await acquireSessionLock(paths.folder);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const stagingDir = join(paths.folder, `rebuild-${stamp}`);
  const backups: string[] = [];
  try {
    // Earlier rebuilds that stopped half way left only their own folders; the lock holder clears them.
    for (const name of await readdir(paths.folder)) if (/^rebuild-[\dTZ-]+$/.test(name)) await rm(join(paths.folder, name), { recursive: true, force: true });
    let staged: KnowledgeBase;
    try {
      staged = await KnowledgeBase.open(workspaceDir, options, "write", lock, { stagingDir });
    } catch (error) {
      await rm(stagingDir, { recursive: true, force: true });
      const known = error instanceof CultureLabError ? error : fromOsError(error);
      if (!known) throw error;
      throw new CultureLabError(known.code, `kb rebuild stopped, and nothing was changed (kb.json, segments/ and notes/ are as they were): ${known.message}`, known.hint, { cause: error });
    }
    await staged.closeKeepingLock();
    // Swap: the old checkpoint goes first, so a crash part way leaves no kb.json (the log is replayed in full)
    // or the new one, never an old checkpoint beside new segments.
    for (const path of [paths.kbJson, paths.segments, paths.pages]) {
      if (await exists(path)) {
        await rename(path, `${path}.bak-${stamp}`);
        backups.push(`${path}.bak-${stamp}`);
      }
    }
    if (await exists(join(stagingDir, "segments"))) await rename(join(stagingDir, "segments"), paths.segments);
    if (await exists(join(stagingDir, "notes"))) await rename(join(stagingDir, "notes"), paths.pages);
    await rename(join(stagingDir, "kb.json"), paths.kbJson);
    await rm(stagingDir, { recursive: true, force: true });
  } catch (error) {
    await lock.release();
    throw error;
  }
  // NOTES.md is rewritten in place, below the user's part, from the new checkpoint.
  const kb = await KnowledgeBase.open(workspaceDir, options, "write", lock, { rewriteNotes: true });
  return { kb, backups };
}

/** How KnowledgeBase.open is used by rebuildKnowledgeBase: build into a staging folder, or rewrite NOTES.md. */
interface OpenInternals {
  /** Write kb.json, segments and pages (and a scratch NOTES.md) here; read events.jsonl where it is, never append. */
  stagingDir?: string;
  rewriteNotes?: boolean;
}

export class KnowledgeBase {
  private seq = 0;
  private committedRound = 0;
  private entryCount = 0;
  private maxGeneration = 0;
  private readonly segments: { ref: SegmentRef; segment: Segment }[] = [];
  private head = new HeadIndex();
  /** Head entries by id; sealed entries are found from the entry number in their id (see locate). */
  private headLocations = new Map<string, number>();
  private readonly archived = new Map<string, ArchiveMark>();
  /** Attempts still in kb.json; older ones are in sealed chunks, read when first asked for. */
  private attemptHead: Attempt[] = [];
  private attemptCount = 0;
  private readonly attemptChunks: { name: string; count: number; crc?: number; loaded?: Attempt[] }[] = [];
  private readonly agentMap = new Map<string, Agent>();
  private readonly generationMap = new Map<number, Generation>();
  private readonly metricList: MetricSnapshot[] = [];
  private readonly humanIngested = new Set<string>();
  /** Human notes the last round could not take, with the reason (shown in NOTES.md and the receipt). */
  private humanRefused: RefusedNote[] = [];
  private staged: StagedEvent[] = [];
  private eventsOffset = 0;
  private appender: EventAppender | undefined;
  private committing: Promise<unknown> = Promise.resolve();
  private broken: Error | undefined;
  private closed = false;
  private renderCache = new WeakMap<Entry, string>();
  /** Entries of the newest segment, so NOTES.md still shows the newest entries right after a seal. */
  private recentSealed: Entry[] | undefined;
  report: OpenReport = { replayedEvents: 0 };

  private constructor(
    readonly paths: KbPaths,
    readonly mode: "write" | "read",
    private readonly segmentSize: number,
    private readonly attemptChunkSize: number,
    private readonly lock: SessionLock | undefined,
    private readonly staging = false,
    private readonly rewriteNotes = false,
  ) {}

  /** @internal — use openKnowledgeBase / openKnowledgeBaseReadOnly / rebuildKnowledgeBase. */
  static async open(workspaceDir: string, options: OpenOptions, mode: "write" | "read", heldLock?: SessionLock, internals: OpenInternals = {}): Promise<KnowledgeBase> {
    const real = kbPaths(workspaceDir, options.folder);
    const { stagingDir } = internals;
    const paths = stagingDir
      ? { ...real, kbJson: join(stagingDir, "kb.json"), notes: join(stagingDir, "NOTES.md"), segments: join(stagingDir, "segments"), pages: join(stagingDir, "notes") }
      : real;
    const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    if (!Number.isInteger(segmentSize) || segmentSize < 1 || segmentSize > MAX_SEGMENT_ENTRIES / 2) {
      throw new CultureLabError("kb-bad-option", `segmentSize must be an integer from 1 to ${MAX_SEGMENT_ENTRIES / 2}, not ${segmentSize}.`, "Fix the option.");
    }
    const attemptChunk = options.attemptChunkSize ?? DEFAULT_ATTEMPT_CHUNK;
    if (!Number.isInteger(attemptChunk) || attemptChunk < 1) {
      throw new CultureLabError("kb-bad-option", `attemptChunkSize must be a positive integer, not ${attemptChunk}.`, "Fix the option.");
    }
    options.signal?.throwIfAborted();
    if (mode === "write") await mkdir(stagingDir ?? paths.folder, { recursive: true });
    else if (!(await exists(paths.folder))) {
      throw new CultureLabError("kb-missing", `There is no knowledge base at ${paths.folder}.`, "Start a session in this workspace first, or check the `folder` setting.");
    }
    const lock = mode === "write" ? (heldLock ?? (await acquireSessionLock(paths.folder))) : undefined;
    const kb = new KnowledgeBase(paths, mode, segmentSize, attemptChunk, lock, stagingDir !== undefined, internals.rewriteNotes);
    try {
      await kb.load(options.signal);
      return kb;
    } catch (error) {
      await kb.appender?.close();
      if (!stagingDir) await lock?.release(); // a rebuild keeps its lock until it has cleaned up
      throw error;
    }
  }

  private async load(signal: AbortSignal | undefined): Promise<void> {
    const db = checkpointDb(this.paths.kbJson);
    await db.read();
    const checkpoint = db.data;
    signal?.throwIfAborted();
    await checkCheckpoint(checkpoint, this.paths.kbJson, this.paths.events);
    this.restore(checkpoint);
    const read = await readEvents(this.paths.events, checkpoint.eventsOffset, checkpoint.seq);
    signal?.throwIfAborted();
    const events = read.events;
    for (const event of events) {
      this.apply(event);
      // Writers seal at round boundaries, as commitRound does, so a long replay (rebuild) stays in segments.
      if (this.mode === "write" && event.type === "commit") await Promise.all(this.sealWhatIsFull().writes.map((write) => write()));
    }
    this.report = { replayedEvents: events.length };
    this.eventsOffset = read.endOffset;
    if (read.torn) this.report.tornTail = this.mode === "write" && !this.staging ? await repairTornTail(this.paths.events, read.torn) : read.torn;
    if (read.unterminated && this.mode === "write") await terminateLastLine(this.paths.events);
    if (this.mode === "write") {
      await removeTempFiles([this.paths.folder, this.paths.segments, this.paths.pages]);
      if (!this.staging) this.appender = await EventAppender.open(this.paths.events);
      if (events.length > 0 || !(await exists(this.paths.kbJson))) await this.checkpointSnapshot().write();
      if (events.length > 0 || this.rewriteNotes || !(await exists(this.paths.notes))) await this.notesSnapshot().write();
    }
  }

  private restore(checkpoint: Checkpoint): void {
    this.seq = checkpoint.seq;
    this.committedRound = checkpoint.round;
    this.entryCount = checkpoint.entryCount;
    for (const ref of checkpoint.segments) {
      const segment = loadSegment(this.paths.segments, ref.name, ref.firstEntry, ref.count);
      this.segments.push({ ref, segment });
      for (let doc = 0; doc < segment.count; doc++) this.maxGeneration = Math.max(this.maxGeneration, segment.generation(doc));
    }
    for (const [id, mark] of Object.entries(checkpoint.archivedSealed)) this.archived.set(id, mark);
    for (const entry of checkpoint.head) this.addToHead(entry);
    this.attemptHead.push(...checkpoint.attempts);
    this.attemptCount = checkpoint.attemptCount;
    this.attemptChunks.push(...checkpoint.attemptChunks.map((chunk) => ({ ...chunk })));
    for (const agent of checkpoint.agents) this.agentMap.set(agent.id, agent);
    for (const generation of checkpoint.generations) this.noteGeneration(generation);
    this.metricList.push(...checkpoint.metrics);
    for (const hash of checkpoint.humanIngested) this.humanIngested.add(hash);
  }

  private addToHead(entry: Entry): void {
    const frozen = freezeEntry({ ...entry, cites: [...entry.cites], tags: [...entry.tags], ...(entry.embedding ? { embedding: [...entry.embedding] } : {}) });
    this.headLocations.set(entry.id, this.head.count);
    this.head.add(frozen);
    if (entry.archived) this.archived.set(entry.id, entry.archived);
    this.maxGeneration = Math.max(this.maxGeneration, entry.generation);
  }

  private noteGeneration(generation: Generation): void {
    this.generationMap.set(generation.generation, generation);
    this.maxGeneration = Math.max(this.maxGeneration, generation.generation);
  }

  /** What each commit line counts, so a checkpoint or a replay that lost a record is noticed. */
  private counts(): { entries: number; attempts: number; agents: number; generations: number; metrics: number; archived: number } {
    return {
      entries: this.entryCount, attempts: this.attemptCount, agents: this.agentMap.size, generations: this.generationMap.size,
      metrics: this.metricList.length, archived: this.archived.size,
    };
  }

  /** Applies one event to the in-memory state (replayed from the log, or staged by a mutator). */
  private apply(event: KbEvent | StagedEvent): void {
    switch (event.type) {
      case "entry": {
        const expected = `${KIND_LETTER[event.entry.kind]}-${this.entryCount.toString(36)}`;
        if (event.entry.id !== expected) {
          throw new CultureLabError("kb-events-corrupt", `${this.paths.events}: entry ${event.entry.id} is out of sequence (expected ${expected}).`,
            "The log was edited or damaged; restore events.jsonl from a backup.");
        }
        this.addToHead(event.entry);
        this.entryCount++;
        break;
      }
      case "archive": {
        this.archived.set(event.id, event.mark);
        const where = this.locate(event.id);
        if (where?.segment === -1) {
          const entry = this.head.entries[where.doc]!;
          this.head.entries[where.doc] = Object.freeze({ ...entry, archived: event.mark });
        } else if (this.recentSealed) {
          const at = this.recentSealed.findIndex((entry) => entry.id === event.id);
          if (at !== -1) this.recentSealed[at] = Object.freeze({ ...this.recentSealed[at]!, archived: event.mark });
        }
        break;
      }
      case "attempt": {
        const expected = `a-${this.attemptCount.toString(36)}`;
        if (event.attempt.id !== expected) {
          throw new CultureLabError("kb-events-corrupt", `${this.paths.events}: attempt ${event.attempt.id} is out of sequence (expected ${expected}).`,
            "The log was edited or damaged; restore events.jsonl from a backup.");
        }
        this.attemptHead.push(event.attempt);
        this.attemptCount++;
        break;
      }
      case "agent":
        this.agentMap.set(event.agent.id, event.agent);
        break;
      case "generation":
        this.noteGeneration(event.generation);
        break;
      case "metrics":
        this.metricList.push(event.snapshot);
        break;
      case "human-ingested":
        this.humanIngested.add(event.hash);
        break;
      case "commit": {
        const counts = this.counts();
        const off = (Object.keys(counts) as (keyof typeof counts)[]).filter((key) => event[key] !== undefined && event[key] !== counts[key]);
        if (off.length > 0) {
          throw new CultureLabError("kb-events-corrupt",
            `${this.paths.events}: the commit of round ${event.round} counts ${off.map((key) => `${event[key]} ${key}`).join(", ")}; the events before it make ${off.map((key) => counts[key]).join(", ")}.`,
            "Events were removed or edited: restore events.jsonl from a backup.");
        }
        this.committedRound = event.round;
        break;
      }
    }
    if ("seq" in event) this.seq = event.seq;
  }

  // ── Staging (in memory until commitRound) ─────────────────────────────────────────────────────────────

  /** Stages a new entry; its cites must name entries that exist (committed or staged earlier). */
  addEntry(input: NewEntry): Entry {
    this.assertWritable();
    if (this.head.count >= MAX_SEGMENT_ENTRIES) {
      throw new CultureLabError("kb-round-too-large", `${this.head.count} entries are waiting for a commit; a round can hold at most ${MAX_SEGMENT_ENTRIES - this.segmentSize}.`,
        "Call commitRound() more often (once per round of the loop).");
    }
    const fields = checked(NewEntrySchema, input, "entry");
    // Stored as float32: round now so the entry reads back exactly as it was added.
    if (fields.embedding) fields.embedding = fields.embedding.map(Math.fround);
    const unknown = fields.cites.filter((id) => !this.has(id));
    if (unknown.length > 0) {
      throw new CultureLabError("kb-unknown-citation", `The entry "${fields.title.slice(0, 80)}" cites ${unknown.map((id) => JSON.stringify(id)).join(", ")}, which no earlier entry has as id.`,
        "Cite only ids returned by search() or get(); an agent's invented id is a hallucination to reject, not to store.");
    }
    const entry: Entry = { id: `${KIND_LETTER[fields.kind]}-${this.entryCount.toString(36)}`, createdAt: new Date().toISOString(), ...fields };
    this.stage({ type: "entry", entry });
    return this.head.entries[this.head.count - 1]!;
  }

  /** "Forgets" an entry: it stays in the store and its lineage, but search skips it unless asked. */
  archive(id: string, reason: string): void {
    this.assertWritable();
    if (!this.has(id)) throw new CultureLabError("kb-unknown-entry", `There is no entry ${JSON.stringify(id)} to archive.`, "Use an id from search() or get().");
    this.stage({ type: "archive", id, mark: { at: new Date().toISOString(), reason: reason.slice(0, 500) } });
  }

  recordAttempt(input: NewAttempt): Attempt {
    this.assertWritable();
    const fields = checked(NewAttemptSchema, input, "attempt");
    const unknown = fields.cites.filter((id) => !this.has(id));
    if (unknown.length > 0) {
      throw new CultureLabError("kb-unknown-citation", `An attempt on ${fields.problemId} cites unknown entries ${unknown.join(", ")}.`, "Cite only ids the knowledge base returned.");
    }
    const attempt = AttemptSchema.parse({ id: `a-${this.attemptCount.toString(36)}`, createdAt: new Date().toISOString(), ...fields });
    this.stage({ type: "attempt", attempt });
    return attempt;
  }

  /** Adds or updates an agent (e.g. to set its retired generation). */
  upsertAgent(agent: Agent): void {
    this.assertWritable();
    this.stage({ type: "agent", agent: checked(AgentSchema, agent, "agent") });
  }

  recordGeneration(generation: Generation): void {
    this.assertWritable();
    this.stage({ type: "generation", generation: checked(GenerationSchema, generation, "generation") });
  }

  recordMetrics(snapshot: Omit<MetricSnapshot, "at"> & { at?: string }): MetricSnapshot {
    this.assertWritable();
    const checkedSnapshot = checked(MetricSnapshotSchema, { at: new Date().toISOString(), ...snapshot }, "metric snapshot");
    this.stage({ type: "metrics", snapshot: checkedSnapshot });
    return checkedSnapshot;
  }

  private stage(event: StagedEvent): void {
    this.apply(event);
    this.staged.push(event);
  }

  private assertWritable(): void {
    if (this.closed) throw new CultureLabError("kb-closed", "The knowledge base is closed.", "Open it again.");
    if (this.mode === "read") throw new CultureLabError("kb-read-only", `${this.paths.folder} was opened read-only.`, "Open it with openKnowledgeBase to write.");
    if (this.broken) {
      throw new CultureLabError("kb-write-failed", `An earlier write to ${this.paths.folder} failed: ${this.broken.message}`,
        "Close and reopen the knowledge base; every round that was reported committed is on disk.", { cause: this.broken });
    }
    if (this.lock?.compromised) {
      throw new CultureLabError("kb-lock-lost", `This session no longer holds the lock on ${this.paths.folder}: ${this.lock.compromised.message}. Nothing more was written.`,
        "Another process may be writing to the knowledge base: close this session, check with `culture-lab kb status`, and start again.");
    }
  }

  // ── Durability ───────────────────────────────────────────────────────────────────────────────────────

  /**
   * Ingests new human notes from NOTES.md, then makes every staged change durable in one append + fsync of
   * events.jsonl, seals the head into a segment when it is full, and rewrites kb.json and NOTES.md.
   * Resolves with the receipt once the round is on disk.
   */
  commitRound(): Promise<RoundReceipt> {
    const run = this.committing.then(() => this.commitNow());
    this.committing = run.catch(() => undefined);
    return run;
  }

  private async commitNow(): Promise<RoundReceipt> {
    this.assertWritable();
    const begun = performance.now();
    const humanNotesIngested = await this.ingestHumanNotes();
    // Another writer may have taken the lock (a shared folder, a racing takeover): then not one byte is written.
    await this.lock?.verify();

    // From here to the first write, everything the round puts on disk is taken from the state synchronously,
    // so changes staged while the files are being written belong to the next round, not half to this one.
    const events = this.staged;
    this.staged = [];
    const firstSeq = this.seq + 1; // staged events are numbered only now, as they reach the log
    const round = this.committedRound + 1;
    const lines: string[] = [];
    let seq = firstSeq;
    for (const event of events) lines.push(serializeEvent({ seq: seq++, ...event } as KbEvent));
    const commit: KbEvent = {
      seq, type: "commit", round, at: new Date().toISOString(), schemaVersion: SCHEMA_VERSION, ...this.counts(),
    };
    lines.push(JSON.stringify(commit));
    const appended = `${lines.join("\n")}\n`;
    this.apply(commit);
    this.eventsOffset = this.appender!.offset + Buffer.byteLength(appended);
    const seal = this.sealWhatIsFull();
    const checkpoint = this.checkpointSnapshot();
    const notes = this.notesSnapshot();

    let writing = this.paths.events; // named in the message if the disk refuses
    try {
      const started = performance.now();
      await this.appender!.append(appended);
      const afterEvents = performance.now();
      writing = this.paths.segments;
      await Promise.all(seal.writes.map((write) => write()));
      const afterSeal = performance.now();
      writing = this.paths.kbJson;
      await checkpoint.write();
      const afterKb = performance.now();
      writing = this.paths.notes;
      await notes.write();
      const done = performance.now();
      return {
        round,
        firstSeq,
        lastSeq: seq,
        entryIds: events.flatMap((event) => (event.type === "entry" ? [event.entry.id] : [])),
        events: events.length,
        humanNotesIngested,
        humanNotesRefused: this.humanRefused,
        sealed: seal.names,
        timings: { prepare: started - begun, events: afterEvents - started, seal: afterSeal - afterEvents, kbJson: afterKb - afterSeal, notes: done - afterKb },
      };
    } catch (error) {
      // A full or read-only disk: the rounds before this one are intact, and the message says which file failed.
      const translated = fromOsError(error, writing) ?? (error as Error);
      this.broken = translated;
      throw translated;
    }
  }

  /** Stages every note in NOTES.md's "Human notes" section that was not ingested before. */
  private async ingestHumanNotes(): Promise<number> {
    let content: Buffer;
    try {
      content = await readFile(this.paths.notes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw fromOsError(error, this.paths.notes) ?? error;
    }
    let count = 0;
    const { notes, refused } = parseHumanNotes(userPart(content));
    // Refused notes are not marked ingested: fixed, they are taken at the next round. Until then NOTES.md says why.
    this.humanRefused = refused;
    for (const note of notes) {
      if (this.humanIngested.has(note.hash)) continue;
      this.addEntry({ kind: "human", author: "human", generation: this.maxGeneration, title: note.title, text: note.text, tags: ["human"] });
      this.stage({ type: "human-ingested", hash: note.hash });
      count++;
    }
    return count;
  }

  /**
   * Seals the head into a segment (with its archive page) and the attempts into a chunk once they are full.
   * The state changes now; the returned writes put the files on disk.
   */
  private sealWhatIsFull(): { names: string[]; writes: (() => Promise<void>)[] } {
    const names: string[] = [];
    const writes: (() => Promise<void>)[] = [];
    if (this.head.count >= this.segmentSize) {
      const index = this.segments.length;
      const name = segmentName(index);
      const ref: SegmentRef = { name, count: this.head.count, firstEntry: this.entryCount - this.head.count, lastEntry: this.entryCount - 1 };
      const built = buildSegment(this.paths.segments, name, ref.firstEntry, this.head);
      this.segments.push({ ref, segment: built.segment });
      this.headLocations = new Map();
      this.recentSealed = [...this.head.entries];
      this.head = new HeadIndex();
      this.renderCache = new WeakMap(); // links to the sealed entries now point into their page
      writes.push(built.write, prepareArchivePage(this.paths.pages, ref, this.recentSealed, (id) => this.linkFor(id, name)));
      names.push(name);
    }
    if (this.attemptHead.length >= this.attemptChunkSize) {
      const name = segmentName(this.attemptChunks.length);
      const attempts = this.attemptHead;
      const chunk = prepareAttemptChunk(this.paths.segments, name, attempts);
      this.attemptChunks.push({ name, count: attempts.length, crc: chunk.crc, loaded: attempts });
      this.attemptHead = [];
      writes.push(chunk.write);
      names.push(`attempts-${name}`);
    }
    return { names, writes };
  }

  /** kb.json as of now (arrays copied, records immutable); `write()` writes it through lowdb. */
  private checkpointSnapshot(): { write(): Promise<void> } {
    const archivedSealed: Record<string, ArchiveMark> = {};
    for (const [id, mark] of this.archived) if (!this.headLocations.has(id)) archivedSealed[id] = mark;
    const db = checkpointDb(this.paths.kbJson);
    db.data = {
      schemaVersion: SCHEMA_VERSION,
      seq: this.seq,
      round: this.committedRound,
      eventsOffset: this.eventsOffset,
      entryCount: this.entryCount,
      segments: this.segments.map((s) => s.ref),
      head: [...this.head.entries],
      archivedSealed,
      attempts: [...this.attemptHead],
      attemptCount: this.attemptCount,
      attemptChunks: this.attemptChunks.map(({ name, count, crc }) => (crc === undefined ? { name, count } : { name, count, crc })),
      agents: [...this.agentMap.values()],
      generations: [...this.generationMap.values()],
      metrics: [...this.metricList],
      humanIngested: [...this.humanIngested],
    };
    return { write: () => db.write() };
  }

  /** NOTES.md as of now: the newest segmentSize entries, the head topped up from the newest segment. */
  private notesSnapshot(): { write(): Promise<void> } {
    const missing = this.segmentSize - this.head.count;
    const last = this.segments[this.segments.length - 1];
    let shown: readonly Entry[] = [...this.head.entries];
    if (missing > 0 && last) {
      this.recentSealed ??= last.segment.readAll().map((entry) => this.withMark(entry));
      shown = [...this.recentSealed.slice(-missing), ...shown];
    }
    const state = { shown, total: this.entryCount, pages: this.segments.map((s) => s.ref), cache: this.renderCache, refused: this.humanRefused };
    return { write: () => writeNotesFile(this.paths.notes, (id) => this.linkFor(id), state) };
  }

  /** Head entries by map; a sealed entry by its number (the id after the dash) and the segments' ranges. */
  private locate(id: string): Location | undefined {
    const inHead = this.headLocations.get(id);
    if (inHead !== undefined) return { segment: -1, doc: inHead };
    const match = /^([a-z])-([0-9a-z]{1,12})$/.exec(id);
    if (!match) return undefined;
    const number = Number.parseInt(match[2]!, 36);
    let low = 0;
    let high = this.segments.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const { ref, segment } = this.segments[mid]!;
      if (number < ref.firstEntry) high = mid - 1;
      else if (number > ref.lastEntry) low = mid + 1;
      else {
        const doc = number - ref.firstEntry;
        return segment.id(doc) === id ? { segment: mid, doc } : undefined; // right number, wrong kind letter
      }
    }
    return undefined;
  }

  /** Where an entry's anchor is, seen from NOTES.md (`page` undefined) or from an archive page. */
  linkFor(id: string, page?: string): string {
    const where = this.locate(id);
    if (!where || where.segment === -1) return page === undefined ? `#kb-${id}` : `../NOTES.md#kb-${id}`;
    const name = this.segments[where.segment]?.ref.name ?? segmentName(where.segment);
    if (page === undefined) return `notes/${name}.md#kb-${id}`;
    return name === page ? `#kb-${id}` : `${name}.md#kb-${id}`;
  }

  // ── Reading ──────────────────────────────────────────────────────────────────────────────────────────

  get round(): number {
    return this.committedRound;
  }

  get size(): { entries: number; head: number; segments: number; attempts: number; staged: number } {
    return { entries: this.entryCount, head: this.head.count, segments: this.segments.length, attempts: this.attemptCount, staged: this.staged.length };
  }

  get lockOwner() {
    return this.lock?.owner;
  }

  has(id: string): boolean {
    return this.locate(id) !== undefined;
  }

  get(id: string): Entry | undefined {
    const where = this.locate(id);
    if (!where) return undefined;
    if (where.segment === -1) return this.head.entries[where.doc];
    const entry = this.segments[where.segment]!.segment.readEntry(where.doc);
    const mark = this.archived.get(id);
    return mark ? { ...entry, archived: mark } : entry;
  }

  /**
   * The top-k entries for a query: BM25 over title and text for `text`, cosine over embeddings for `vector`,
   * and both fused by reciprocal rank when both are given. Archived entries only with includeArchived.
   */
  search(query: string | { text?: string; vector?: readonly number[] }, options: SearchOptions = {}): SearchResult[] {
    const k = options.k ?? 8;
    const { text, vector } = typeof query === "string" ? { text: query, vector: undefined } : query;
    const parts: IndexPart[] = [...this.segments.map((s) => s.segment), this.head];
    const isArchived = (id: string) => this.archived.has(id);
    const rankings: Hit[][] = [];
    if (text) rankings.push(bm25(parts, text, rankings.length === 0 && !vector ? k : k * 4, options, isArchived));
    if (vector) rankings.push(cosine(parts, vector, text ? k * 4 : k, options, isArchived));
    const hits = rankings.length === 1 ? rankings[0]! : fuse(rankings, k);
    return hits.slice(0, k).map((hit) => ({ entry: this.entryAt(parts[hit.part]!, hit.doc), score: hit.score }));
  }

  private entryAt(part: IndexPart, doc: number): Entry {
    return this.get(part.id(doc))!;
  }

  /**
   * Every entry in order, optionally filtered. Sealed segments are parsed on the first call and kept.
   * Embeddings are left out unless asked for (100k of them would be hundreds of MB of arrays); get(id) and
   * search() return entries with theirs.
   */
  entries(filter: { kinds?: readonly EntryKind[]; generation?: number; includeArchived?: boolean; withEmbeddings?: boolean } = {}): Entry[] {
    const wanted = (entry: Entry) =>
      (!filter.kinds || filter.kinds.includes(entry.kind)) &&
      (filter.generation === undefined || entry.generation === filter.generation) &&
      (filter.includeArchived === true || !this.archived.has(entry.id));
    const out: Entry[] = [];
    for (const { segment } of this.segments) {
      segment.readAll().forEach((entry, doc) => {
        if (wanted(entry)) out.push(this.withMark(filter.withEmbeddings ? segment.withVector(entry, doc) : withoutEmbedding(entry)));
      });
    }
    for (const entry of this.head.entries) {
      if (wanted(entry)) out.push(filter.withEmbeddings ? entry : withoutEmbedding(entry));
    }
    return out;
  }

  private withMark(entry: Entry): Entry {
    const mark = this.archived.get(entry.id);
    return mark ? { ...entry, archived: mark } : entry;
  }

  attempts(filter: { problemId?: string; agentId?: string; generation?: number } = {}): Attempt[] {
    const all: Attempt[] = [];
    for (const chunk of this.attemptChunks) {
      chunk.loaded ??= readAttemptChunk(this.paths.segments, chunk.name, chunk.count, chunk.crc);
      all.push(...chunk.loaded);
    }
    all.push(...this.attemptHead);
    return all.filter((attempt) =>
      (filter.problemId === undefined || attempt.problemId === filter.problemId) &&
      (filter.agentId === undefined || attempt.agentId === filter.agentId) &&
      (filter.generation === undefined || attempt.generation === filter.generation));
  }

  agents(): Agent[] {
    return [...this.agentMap.values()];
  }

  generations(): Generation[] {
    return [...this.generationMap.values()].sort((a, b) => a.generation - b.generation);
  }

  metrics(filter: { generation?: number; window?: string } = {}): MetricSnapshot[] {
    return this.metricList.filter((m) =>
      (filter.generation === undefined || m.generation === filter.generation) && (filter.window === undefined || m.window === filter.window));
  }

  /** A rebuild's staged base: done, but the lock stays with the rebuild. */
  async closeKeepingLock(): Promise<void> {
    this.closed = true;
    await this.committing;
    await this.appender?.close();
  }

  /** Releases the lock and the log handle. Staged changes not committed are dropped, and the count says so. */
  async close(): Promise<{ droppedStaged: number }> {
    if (this.closed) return { droppedStaged: 0 };
    this.closed = true;
    await this.committing;
    const droppedStaged = this.staged.length;
    await this.appender?.close();
    await this.lock?.release();
    return { droppedStaged };
  }
}

/** Temp files of atomic writes that a crash interrupted (the target files are intact): the lock holder removes them. */
async function removeTempFiles(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    for (const name of names) if (/\.tmp-\d+$/.test(name)) await rm(join(dir, name), { force: true });
  }
}

function withoutEmbedding(entry: Entry): Entry {
  if (!entry.embedding) return entry;
  const { embedding: _left, ...rest } = entry;
  return rest;
}

function checked<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new CultureLabError("kb-invalid-input", `Invalid ${what}: ${issue?.path.join(".") || "value"}: ${issue?.message}.`, `Fix the ${what} before adding it.`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
