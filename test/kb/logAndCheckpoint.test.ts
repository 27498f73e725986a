import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { openKnowledgeBase, openKnowledgeBaseReadOnly, rebuildKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { note, tempWorkspace } from "./tempWorkspace";

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

/** Every file under a folder with its bytes, to show that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string, prefix: string) => {
    for (const name of readdirSync(at, { withFileTypes: true })) {
      if (name.isDirectory()) walk(join(at, name.name), `${prefix}${name.name}/`);
      else out[`${prefix}${name.name}`] = readFileSync(join(at, name.name)).toString("base64");
    }
  };
  walk(dir, "");
  return out;
}

describe("the knowledge base's checkpoint and log checks", () => {
  let ws: ReturnType<typeof tempWorkspace>;
  let folder: string;
  let events: string;
  let kbJson: string;
  beforeEach(() => {
    ws = tempWorkspace();
    folder = join(ws.dir, ".culture");
    events = join(folder, "events.jsonl");
    kbJson = join(folder, "kb.json");
  });
  afterEach(() => ws.remove());

  /** Three rounds of two notes and an attempt each, sealed two entries a segment. */
  async function threeRounds(): Promise<string[]> {
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 2 });
    const ids: string[] = [];
    for (let round = 0; round < 3; round++) {
      ids.push(kb.addEntry(note(`round ${round} a`, `text ${round} a`)).id, kb.addEntry(note(`round ${round} b`, `text ${round} b`)).id);
      kb.recordAttempt({ problemId: `p-${round}`, agentId: "agent-1", generation: 0, answer: "1", correct: true });
      await kb.commitRound();
    }
    await kb.close();
    return ids;
  }

  it("refuses a kb.json whose entry count is lower than its entries, and rebuild gives the next entry a fresh id", async () => {
    const ids = await threeRounds();
    const garbled = readFileSync(kbJson, "utf8").replace(/"entryCount": 6/, '"entryCount": 5');
    writeFileSync(kbJson, garbled);
    const error = await rejectsWith(openKnowledgeBase(ws.dir, { segmentSize: 2 }), "kb-checkpoint-mismatch", /entryCount is 5/);
    assert.match(error.hint ?? "", /kb rebuild/);
    assert.equal(readFileSync(kbJson, "utf8"), garbled, "the doubtful kb.json is left as it was");
    const { kb } = await rebuildKnowledgeBase(ws.dir, { segmentSize: 2 });
    const fresh = kb.addEntry(note("after", "a new number")).id;
    assert.ok(!ids.includes(fresh), `${fresh} must not reuse an entry number`);
    await kb.commitRound();
    await kb.close();
  });

  it("refuses a kb.json that agrees with itself but not with the commit line it claims to be built up to", async () => {
    await threeRounds();
    // Drop the newest attempt and its count together: consistent in itself, wrong against the log.
    const checkpoint = JSON.parse(readFileSync(kbJson, "utf8"));
    checkpoint.attempts.pop();
    checkpoint.attemptCount -= 1;
    writeFileSync(kbJson, JSON.stringify(checkpoint));
    await rejectsWith(openKnowledgeBaseReadOnly(ws.dir, { segmentSize: 2 }), "kb-checkpoint-mismatch", /attemptCount 2, the log 3/);
  });

  it("refuses a kb.json that lost a generation record or an agent, which the log still has", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    kb.upsertAgent({ id: "agent-1", persona: "p", seed: 1, model: "m", bornGeneration: 0 });
    kb.recordGeneration({ generation: 0, startedAt: new Date().toISOString() });
    kb.recordGeneration({ generation: 1, startedAt: new Date().toISOString() });
    await kb.commitRound();
    await kb.close();
    const checkpoint = JSON.parse(readFileSync(kbJson, "utf8"));
    checkpoint.generations.shift();
    writeFileSync(kbJson, JSON.stringify(checkpoint));
    await rejectsWith(openKnowledgeBaseReadOnly(ws.dir), "kb-checkpoint-mismatch", /generations 1, the log 2/);
    checkpoint.agents = [];
    writeFileSync(kbJson, JSON.stringify(checkpoint));
    await rejectsWith(openKnowledgeBaseReadOnly(ws.dir), "kb-checkpoint-mismatch", /agents 0, the log 1/);
  });

  it("refuses a kb.json whose log position falls inside a line, and never cuts the log there", async () => {
    await threeRounds();
    const log = readFileSync(events);
    const checkpoint = JSON.parse(readFileSync(kbJson, "utf8"));
    checkpoint.eventsOffset -= 20;
    writeFileSync(kbJson, JSON.stringify(checkpoint));
    await rejectsWith(openKnowledgeBase(ws.dir, { segmentSize: 2 }), "kb-checkpoint-mismatch", /no commit line ends at byte/);
    assert.deepEqual(readFileSync(events), log, "the log is whole, nothing was moved aside as torn");
  });

  it("refuses a log whose committed attempt has a garbled sequence number, and rebuild stops without dropping it", async () => {
    await threeRounds();
    const lines = readFileSync(events, "utf8").split("\n");
    const attemptLine = lines.findIndex((line) => line.includes('"type":"attempt"'));
    lines[attemptLine] = lines[attemptLine]!.replace(/^\{"seq":\d+/, '{"seq":-7');
    writeFileSync(events, lines.join("\n"));
    const before = snapshot(folder);
    const error = await rejectsWith(rebuildKnowledgeBase(ws.dir, { segmentSize: 2 }), "kb-events-corrupt",
      new RegExp(`line ${attemptLine + 1} .*sequence number -7 where ${attemptLine + 1} was due`));
    assert.match(error.message, /nothing was changed/);
    const after = snapshot(folder);
    delete after["session.owner.json"];
    assert.deepEqual(after, before, "kb.json, segments, notes and the log are as they were");
  });

  it("rebuild of a log damaged in the middle changes nothing, says where the damage is and what to do, and the base still opens", async () => {
    const ids = await threeRounds();
    const lines = readFileSync(events, "utf8").split("\n");
    const damagedLine = 6; // in the second round
    const byte = Buffer.byteLength(lines.slice(0, damagedLine - 1).map((line) => `${line}\n`).join(""));
    const soundUpTo = Buffer.byteLength(lines.slice(0, lines.findIndex((line) => line.includes('"type":"commit"')) + 1).map((line) => `${line}\n`).join(""));
    assert.match(lines[damagedLine - 1]!, /"type":"entry"/);
    lines[damagedLine - 1] = lines[damagedLine - 1]!.replace('"type":"entry"', '"type":"entrx"'); // same length: kb.json still fits the log
    writeFileSync(events, lines.join("\n"));
    const before = snapshot(folder);
    assert.ok(Object.keys(before).some((name) => name.startsWith("segments/")) && Object.keys(before).some((name) => name.startsWith("notes/")));

    const error = await rejectsWith(rebuildKnowledgeBase(ws.dir, { segmentSize: 2 }), "kb-events-corrupt");
    assert.match(error.message, new RegExp(`line ${damagedLine} \\(the event at byte ${byte}\\)`));
    assert.match(error.message, new RegExp(`before byte ${soundUpTo} .* is intact`));
    assert.match(error.hint ?? "", new RegExp(`truncate -s ${soundUpTo} events.jsonl`));
    assert.doesNotMatch(error.message, /kb\.json is left untouched/);
    const after = snapshot(folder);
    delete after["session.owner.json"];
    assert.deepEqual(after, before, "nothing was moved, deleted or written");

    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 2 });
    for (const id of ids) assert.ok(kb.has(id), `${id} is still there`);
    await kb.close();
  });

  it("keeps the last round of a log that lacks only its final newline, and the next round starts a line of its own", async () => {
    const ids = await threeRounds();
    writeFileSync(events, readFileSync(events, "utf8").replace(/\n$/, ""));
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 2 });
    assert.equal(kb.report.tornTail, undefined, "nothing is moved aside as torn");
    assert.deepEqual(readdirSync(folder).filter((name) => name.includes(".torn")), []);
    for (const id of ids) assert.ok(kb.has(id));
    const next = kb.addEntry(note("next", "appended after the repaired line")).id;
    await kb.commitRound();
    await kb.close();
    for (const line of readFileSync(events, "utf8").split("\n").filter(Boolean)) JSON.parse(line);
    const { kb: rebuilt } = await rebuildKnowledgeBase(ws.dir, { segmentSize: 2 });
    assert.ok(rebuilt.has(next));
    assert.equal(rebuilt.round, 4);
    await rebuilt.close();
  });

  it("a successful rebuild swaps in the new files, keeps the old ones and the user's part of NOTES.md, and leaves no scratch folder", async () => {
    const ids = await threeRounds();
    const notes = join(folder, "NOTES.md");
    const mine = "# Mine\n\nwritten by hand, kept byte for byte\n\n";
    writeFileSync(notes, mine + readFileSync(notes, "utf8").slice(readFileSync(notes, "utf8").indexOf("<!-- culture-lab:generated")));
    const { kb, backups } = await rebuildKnowledgeBase(ws.dir, { segmentSize: 2 });
    assert.deepEqual(backups.map((path) => path.replace(/\.bak-.*$/, "").slice(folder.length + 1)).sort(), ["kb.json", "notes", "segments"]);
    for (const id of ids) assert.ok(kb.has(id));
    assert.ok(readFileSync(notes, "utf8").startsWith(mine));
    assert.deepEqual(readdirSync(folder).filter((name) => name.startsWith("rebuild-")), []);
    await kb.close();
  });
});
