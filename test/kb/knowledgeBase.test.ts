import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { openKnowledgeBase, openKnowledgeBaseReadOnly, rebuildKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { note, tempWorkspace } from "./tempWorkspace";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);

/** Starts a child that holds the knowledge base open and resolves once it has the lock. */
function holdInChild(dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", fixture("holdKb.ts"), dir], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().startsWith("ready")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`holder exited early with ${code}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<CultureLabError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CultureLabError, `expected a CultureLabError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}

describe("the knowledge base", () => {
  let ws: ReturnType<typeof tempWorkspace>;
  beforeEach(() => {
    ws = tempWorkspace();
  });
  afterEach(() => ws.remove());

  it("keeps every committed entry, attempt, agent, generation and metric across a reopen, including sealed ones", async () => {
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 4 });
    const first = kb.addEntry(note("Merge sort", "Split the list, sort halves, merge."));
    const ids = [first.id];
    for (let i = 0; i < 6; i++) ids.push(kb.addEntry(note(`Variant ${i}`, `merge variant ${i}`, { cites: [first.id], generation: 1 })).id);
    kb.upsertAgent({ id: "agent-1", persona: "careful", seed: 7, model: "tiny.gguf", bornGeneration: 0 });
    kb.recordGeneration({ generation: 1, startedAt: new Date().toISOString() });
    kb.recordAttempt({ problemId: "p-9", agentId: "agent-1", generation: 1, answer: "12", correct: true, cites: [first.id] });
    kb.recordMetrics({ generation: 1, window: "generation", values: { selfBleu: 0.41 } });
    const receipt = await kb.commitRound();
    assert.deepEqual(receipt.entryIds, ids);
    assert.deepEqual(receipt.sealed, ["000000"]);
    await kb.close();

    const again = await openKnowledgeBase(ws.dir, { segmentSize: 4 });
    assert.deepEqual(ids.map((id) => again.get(id)?.id), ids);
    assert.equal(again.get(ids[3]!)?.text, "merge variant 2");
    assert.deepEqual(again.get(ids[1]!)?.cites, [first.id]);
    assert.equal(again.attempts({ problemId: "p-9" }).length, 1);
    assert.equal(again.agents()[0]?.persona, "careful");
    assert.equal(again.generations()[0]?.generation, 1);
    assert.equal(again.metrics({ generation: 1 })[0]?.values.selfBleu, 0.41);
    assert.equal(again.round, 1);
    assert.equal(again.entries().length, 7);
    await again.close();
  });

  it("moves old attempts out of kb.json into sealed chunks and still returns all of them", async () => {
    const kb = await openKnowledgeBase(ws.dir, { attemptChunkSize: 3 });
    const record = (i: number) => kb.recordAttempt({ problemId: `p-${i % 2}`, agentId: "agent-2", generation: i, answer: `${i}`, correct: i % 2 === 0 });
    for (let i = 0; i < 4; i++) record(i);
    const receipt = await kb.commitRound();
    assert.deepEqual(receipt.sealed, ["attempts-000000"]);
    record(4);
    await kb.commitRound();
    await kb.close();
    const kbJson = JSON.parse(readFileSync(join(ws.dir, ".culture", "kb.json"), "utf8"));
    assert.equal(kbJson.attempts.length, 1, "only the unsealed attempt stays in kb.json");

    const again = await openKnowledgeBaseReadOnly(ws.dir);
    assert.deepEqual(again.attempts().map((a) => a.answer), ["0", "1", "2", "3", "4"]);
    assert.deepEqual(again.attempts({ problemId: "p-0" }).map((a) => a.id), ["a-0", "a-2", "a-4"]);
    assert.equal(again.size.attempts, 5);
  });

  it("puts changes staged while a round is being written into the next round, never half into this one", async () => {
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 4, attemptChunkSize: 2 });
    for (let i = 0; i < 3; i++) kb.addEntry(note(`before ${i}`, "staged before the commit"));
    const during: string[] = [];
    let done = false;
    const committing = kb.commitRound().finally(() => (done = true));
    // Stage on every turn of the event loop for as long as the commit (which seals a segment) is writing.
    while (!done) {
      during.push(kb.addEntry(note(`during ${during.length}`, "staged during the commit")).id);
      kb.recordAttempt({ problemId: "p-1", agentId: "agent-1", generation: 0, answer: "x", correct: false });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const receipt = await committing;
    assert.ok(during.length > 1, "the commit took more than one turn");
    const inRound = during.filter((id) => receipt.entryIds.includes(id));
    assert.deepEqual(inRound, during.slice(0, inRound.length), "the round took a prefix of what was staged");
    await kb.close();

    const again = await openKnowledgeBase(ws.dir, { segmentSize: 4, attemptChunkSize: 2 });
    assert.equal(again.size.entries, receipt.entryIds.length);
    assert.deepEqual(during.map((id) => again.has(id)), during.map((id) => receipt.entryIds.includes(id)));
    assert.equal(again.attempts().length, receipt.events - receipt.entryIds.length);
    await again.close();
  });

  it("refuses a knowledge-base folder given as the workspace instead of nesting a second, empty one inside it", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    await kb.close();
    await assert.rejects(openKnowledgeBase(join(ws.dir, ".culture")), (e: unknown) =>
      e instanceof CultureLabError && e.code === "workspace-is-kb" && /is a knowledge-base folder itself \(it holds kb\.json\)/.test(e.message) && e.hint === `Pass the folder that contains it: --workspace ${ws.dir}`);
    assert.ok(!existsSync(join(ws.dir, ".culture", ".culture")), "nothing was created inside it");
  });

  it("rejects a citation of an unknown id at the door and stages nothing", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    await rejectsWith(Promise.resolve().then(() => kb.addEntry(note("Made up", "cites a ghost", { cites: ["n-zzz"] }))), "kb-unknown-citation", /n-zzz/);
    assert.equal(kb.size.staged, 0);
    const receipt = await kb.commitRound();
    assert.deepEqual(receipt.entryIds, []);
    await kb.close();
  });

  it("rejects malformed entries with a message naming the field", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    const bad = [
      { ...note("x", "y"), kind: "essay" },
      note("t".repeat(301), "y"),
      note("x", "y", { author: "" }),
      note("x", "y", { generation: -1 }),
      note("x", "y", { data: { blob: "z".repeat(70_000) } }),
      note("x", "y", { embedding: [1, Number.NaN] }),
    ];
    for (const entry of bad) {
      const error = await rejectsWith(Promise.resolve().then(() => kb.addEntry(entry as never)), "kb-invalid-input");
      assert.match(error.message, /Invalid entry: \w+/);
    }
    await kb.close();
  });

  it("ranks by BM25, filters by kind and generation, and skips archived entries unless asked", async () => {
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 3 });
    const sorting = kb.addEntry(note("Merge sort", "merge sort splits the list in halves; merge sort is stable", { generation: 0 }));
    const primes = kb.addEntry(note("Primes", "a sieve finds primes below a bound", { generation: 1 }));
    const problem = kb.addEntry({ ...note("Order this", "order the list 3 1 2 with a merge sort"), kind: "problem", generation: 2 });
    await kb.commitRound(); // sealed: the search spans a segment and the head
    const late = kb.addEntry(note("Merge tips", "merge in place is hard", { generation: 2 }));
    const top = kb.search("merge sort", { k: 8 }).map((r) => r.entry.id);
    assert.equal(top[0], sorting.id);
    assert.ok(!top.includes(primes.id));
    assert.deepEqual(new Set(top), new Set([sorting.id, problem.id, late.id]));
    assert.deepEqual(kb.search("merge sort", { kinds: ["problem"] }).map((r) => r.entry.id), [problem.id]);
    assert.deepEqual(kb.search("merge", { generations: { min: 2 } }).map((r) => r.entry.id).sort(), [problem.id, late.id].sort());
    assert.deepEqual(kb.search("merge", { generations: [0] }).map((r) => r.entry.id), [sorting.id]);

    kb.archive(sorting.id, "superseded");
    assert.ok(!kb.search("merge sort").some((r) => r.entry.id === sorting.id));
    const archived = kb.search("merge sort", { includeArchived: true }).find((r) => r.entry.id === sorting.id);
    assert.equal(archived?.entry.archived?.reason, "superseded");
    await kb.commitRound();
    await kb.close();
    const again = await openKnowledgeBaseReadOnly(ws.dir);
    assert.equal(again.get(sorting.id)?.archived?.reason, "superseded", "the archive mark of a sealed entry survives a reopen");
    assert.ok(!again.search("merge sort").some((r) => r.entry.id === sorting.id));
  });

  it("ranks by cosine similarity when an embedding is given, and fuses it with BM25 when both are", async () => {
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 2 });
    const east = kb.addEntry(note("East", "points east", { embedding: [1, 0, 0] }));
    const north = kb.addEntry(note("North", "points north", { embedding: [0, 1, 0] }));
    const northEast = kb.addEntry(note("Northeast", "points both ways", { embedding: [0.7, 0.7, 0] }));
    kb.addEntry(note("No vector", "points nowhere"));
    await kb.commitRound();
    const byVector = kb.search({ vector: [0.9, 0.1, 0] }, { k: 3 }).map((r) => r.entry.id);
    assert.deepEqual(byVector, [east.id, northEast.id, north.id]);
    const fused = kb.search({ text: "north", vector: [0, 1, 0] }, { k: 2 }).map((r) => r.entry.id);
    assert.equal(fused[0], north.id);
    const odd = kb.addEntry(note("Other model", "a 2-d vector", { embedding: [0.1, 0.2] }));
    const zero = kb.addEntry(note("Zero", "a zero vector", { embedding: [0, 0, 0] }));
    await kb.commitRound();
    await kb.close();

    const again = await openKnowledgeBaseReadOnly(ws.dir);
    assert.deepEqual(again.get(northEast.id)?.embedding, [0.7, 0.7, 0].map(Math.fround), "a sealed embedding reads back as float32");
    assert.deepEqual(again.get(odd.id)?.embedding, [0.1, 0.2].map(Math.fround), "an embedding of another dimension is kept too");
    assert.deepEqual(again.get(zero.id)?.embedding, [0, 0, 0]);
    assert.deepEqual(again.search({ vector: [0.9, 0.1, 0] }, { k: 3 }).map((r) => r.entry.id), byVector);
    assert.deepEqual(again.get(east.id)?.embedding, [1, 0, 0], "the same after the vectors were loaded for search");
    assert.ok(again.entries().every((e) => e.embedding === undefined), "entries() leaves embeddings out");
    const withVectors = again.entries({ withEmbeddings: true });
    assert.deepEqual(withVectors.find((e) => e.id === northEast.id)?.embedding, [0.7, 0.7, 0].map(Math.fround));
    assert.deepEqual(withVectors.find((e) => e.id === odd.id)?.embedding, [0.1, 0.2].map(Math.fround));
  });

  it("refuses a second writer with a message naming the owning process, host and start time", async () => {
    const holder = await holdInChild(ws.dir);
    try {
      const error = await rejectsWith(openKnowledgeBase(ws.dir), "kb-locked");
      assert.match(error.message, new RegExp(`process ${holder.pid} on ${hostname()}, started \\d{4}-`));
    } finally {
      await killed(holder);
    }
  });

  it("recovers the lock left by a writer that was killed, and a read-only open needs no lock", async () => {
    const holder = await holdInChild(ws.dir);
    const reader = await openKnowledgeBaseReadOnly(ws.dir);
    assert.equal(reader.size.entries, 0);
    await killed(holder);
    const kb = await openKnowledgeBase(ws.dir);
    assert.equal(kb.lockOwner?.pid, process.pid);
    await kb.close();
  });

  it("leaves no lock, owner file, temp file or open file behind after close, and a closed base refuses writes", async () => {
    // Files this process has open, by path (Linux's /proc; the knowledge base holds events.jsonl open while open).
    const openFiles = () => readdirSync("/proc/self/fd").flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return []; // the fd readdir itself used, already closed
      }
    }).filter((path) => path.startsWith(ws.dir));
    const kb = await openKnowledgeBase(ws.dir);
    kb.addEntry(note("a", "b"));
    await kb.commitRound();
    assert.ok(openFiles().some((path) => path.endsWith("events.jsonl")), "the check sees the open log");
    await kb.close();
    assert.deepEqual(openFiles(), [], "no file of the knowledge base is still open");
    const left = readdirSync(join(ws.dir, ".culture")).sort();
    assert.deepEqual(left, ["NOTES.md", "events.jsonl", "kb.json"]);
    assert.throws(() => kb.addEntry(note("c", "d")), (e: unknown) => e instanceof CultureLabError && e.code === "kb-closed");
    const reopened = await openKnowledgeBase(ws.dir);
    await reopened.close();
  });

  it("refuses a corrupt kb.json by name, never overwrites it, and `rebuild` restores it from events.jsonl with a backup", async () => {
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 2 });
    const ids = [0, 1, 2, 3, 4].map((i) => kb.addEntry(note(`n${i}`, `text ${i}`)).id);
    await kb.commitRound();
    await kb.close();
    const kbJson = join(ws.dir, ".culture", "kb.json");
    const corrupt = '{"schemaVersion": 1, "seq": 3, "head": [tru';
    writeFileSync(kbJson, corrupt);

    const error = await rejectsWith(openKnowledgeBase(ws.dir), "kb-corrupt");
    assert.ok(error.message.includes(kbJson), "the message names the file");
    assert.match(error.hint ?? "", /culture-lab kb rebuild/);
    await rejectsWith(openKnowledgeBaseReadOnly(ws.dir), "kb-corrupt");
    assert.equal(readFileSync(kbJson, "utf8"), corrupt, "the corrupt file is left as it was");

    const { kb: rebuilt, backups } = await rebuildKnowledgeBase(ws.dir, { segmentSize: 2 });
    assert.deepEqual(ids.map((id) => rebuilt.get(id)?.text), ids.map((_, i) => `text ${i}`));
    await rebuilt.close();
    const backup = backups.find((path) => path.includes("kb.json.bak-"));
    assert.ok(backup && readFileSync(backup, "utf8") === corrupt, "the old kb.json is kept as a sibling backup");
  });

  it("refuses a kb.json of an unknown schema version without touching it", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    await kb.commitRound();
    await kb.close();
    const kbJson = join(ws.dir, ".culture", "kb.json");
    const future = readFileSync(kbJson, "utf8").replace('"schemaVersion": 1', '"schemaVersion": 99');
    writeFileSync(kbJson, future);
    const error = await rejectsWith(openKnowledgeBase(ws.dir), "kb-schema-version", /schema version 99/);
    assert.ok(error.message.includes(kbJson));
    assert.equal(readFileSync(kbJson, "utf8"), future);
  });

  it("detects a torn last round, reports it, keeps the complete rounds and saves the torn bytes aside", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    const kept = kb.addEntry(note("kept", "this round committed")).id;
    await kb.commitRound();
    await kb.close();
    const events = join(ws.dir, ".culture", "events.jsonl");
    const complete = readFileSync(events, "utf8");
    // A round cut short: one whole event line without its commit line, then half a line.
    const torn = `${JSON.stringify({ seq: 3, type: "agent", agent: { id: "agent-9", persona: "", seed: 1, model: "m", bornGeneration: 0 } })}\n{"seq":4,"type":"entr`;
    appendFileSync(events, torn);

    const reader = await openKnowledgeBaseReadOnly(ws.dir);
    assert.equal(reader.report.tornTail?.bytes, Buffer.byteLength(torn));
    assert.equal(readFileSync(events, "utf8"), complete + torn, "a read-only open changes nothing");

    const again = await openKnowledgeBase(ws.dir);
    assert.equal(again.report.tornTail?.bytes, Buffer.byteLength(torn));
    assert.equal(readFileSync(again.report.tornTail!.savedTo!, "utf8"), torn);
    assert.equal(readFileSync(events, "utf8"), complete);
    assert.ok(again.has(kept));
    assert.equal(again.agents().length, 0, "events of the torn round are not applied");
    again.addEntry(note("after", "the log continues cleanly"));
    await again.commitRound();
    await again.close();
    const last = await openKnowledgeBase(ws.dir);
    assert.equal(last.size.entries, 2);
    assert.equal(last.report.tornTail, undefined);
    await last.close();
  });

  it("refuses a log damaged in the middle, naming the file and the byte, and changes nothing", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    kb.addEntry(note("one", "first round"));
    await kb.commitRound();
    kb.addEntry(note("two", "second round"));
    await kb.commitRound();
    await kb.close();
    const events = join(ws.dir, ".culture", "events.jsonl");
    const kbJson = join(ws.dir, ".culture", "kb.json");
    rmSync(kbJson); // open must read the whole log
    const lines = readFileSync(events, "utf8").split("\n");
    lines[1] = lines[1]!.replace('"type":"commit"', '"type":"comet"');
    const damaged = lines.join("\n");
    writeFileSync(events, damaged);
    const error = await rejectsWith(openKnowledgeBase(ws.dir), "kb-events-corrupt", /not a valid event line/);
    assert.ok(error.message.includes(events));
    assert.equal(readFileSync(events, "utf8"), damaged);
    assert.ok(!existsSync(kbJson), "no checkpoint is written from a damaged log");
  });

  it("refuses a log whose entries are out of sequence (edited by hand)", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    kb.addEntry(note("one", "first"));
    kb.addEntry(note("two", "second"));
    await kb.commitRound();
    await kb.close();
    const events = join(ws.dir, ".culture", "events.jsonl");
    rmSync(join(ws.dir, ".culture", "kb.json"));
    writeFileSync(events, readFileSync(events, "utf8").replace('"id":"n-1"', '"id":"n-7"'));
    await rejectsWith(openKnowledgeBaseReadOnly(ws.dir), "kb-events-corrupt", /n-7 is out of sequence \(expected n-1\)/);
  });

  it("reports a missing segment with the rebuild hint, and rebuild restores it", async () => {
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 2 });
    const ids = [0, 1, 2].map((i) => kb.addEntry(note(`n${i}`, `text ${i}`)).id);
    await kb.commitRound();
    await kb.close();
    rmSync(join(ws.dir, ".culture", "segments", "000000.idx"));
    const error = await rejectsWith(openKnowledgeBaseReadOnly(ws.dir), "kb-segment-missing");
    assert.match(error.hint ?? "", /culture-lab kb rebuild/);
    const { kb: rebuilt } = await rebuildKnowledgeBase(ws.dir, { segmentSize: 2 });
    assert.deepEqual(ids.map((id) => rebuilt.get(id)?.title), ["n0", "n1", "n2"]);
    await rebuilt.close();
  });

  it("replays the rounds a crash left out of kb.json", async () => {
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 3 });
    kb.addEntry(note("one", "first"));
    await kb.commitRound();
    const kbJson = join(ws.dir, ".culture", "kb.json");
    copyFileSync(kbJson, `${kbJson}.old`);
    const later = [0, 1, 2, 3].map((i) => kb.addEntry(note(`later ${i}`, "after the checkpoint")).id);
    await kb.commitRound();
    await kb.close();
    copyFileSync(`${kbJson}.old`, kbJson); // as if the process died after the events fsync, before kb.json

    const again = await openKnowledgeBase(ws.dir, { segmentSize: 3 });
    assert.equal(again.report.replayedEvents, 5);
    assert.deepEqual(later.map((id) => again.has(id)), [true, true, true, true]);
    assert.equal(again.search("checkpoint").length, 4);
    await again.close();
  });

  it("a read-only base refuses writes with a clear error", async () => {
    await (await openKnowledgeBase(ws.dir)).close();
    const reader = await openKnowledgeBaseReadOnly(ws.dir);
    assert.throws(() => reader.addEntry(note("x", "y")), (e: unknown) => e instanceof CultureLabError && e.code === "kb-read-only");
    await rejectsWith(reader.commitRound(), "kb-read-only");
  });

  it("an aborted open takes no lock", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(openKnowledgeBase(ws.dir, { signal: controller.signal }), { name: "AbortError" });
    assert.ok(!existsSync(join(ws.dir, ".culture", "session.lock")));
  });
});
