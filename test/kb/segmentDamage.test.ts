import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { openKnowledgeBase, openKnowledgeBaseReadOnly, rebuildKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { note, tempWorkspace } from "./tempWorkspace";

/** The byte range of one section of a segment index, from its header. */
function sectionOf(idx: Buffer, name: string): [number, number] {
  const headerLength = idx.readUInt32LE(7);
  const header = JSON.parse(idx.toString("utf8", 11, 11 + headerLength)) as { sections: Record<string, [number, number]> };
  const base = Math.ceil((11 + headerLength) / 8) * 8;
  const [offset, length] = header.sections[name]!;
  return [base + offset, length];
}

function isDamage(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof CultureLabError, `expected a CultureLabError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.hint ?? "", /culture-lab kb rebuild/);
    return true;
  };
}

describe("damaged segment files", () => {
  let ws: ReturnType<typeof tempWorkspace>;
  let segments: string;
  let ids: string[];
  beforeEach(async () => {
    ws = tempWorkspace();
    segments = join(ws.dir, ".culture", "segments");
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 4 });
    ids = ["alpha", "bravo", "charlie", "delta", "echo"].map((word) => kb.addEntry(note(word, `the ${word} entry`, { embedding: [1, word.length, 0.5] })).id);
    await kb.commitRound(); // seals all five (a round seals the whole head once it is full)
    await kb.close();
  });
  afterEach(() => ws.remove());

  it("refuses an index whose postings were overwritten, instead of letting sealed entries vanish from search", async () => {
    const path = join(segments, "000000.idx");
    const idx = readFileSync(path);
    const [offset, length] = sectionOf(idx, "postDocs");
    idx.fill(0x7f, offset, offset + length);
    writeFileSync(path, idx);
    await assert.rejects(openKnowledgeBaseReadOnly(ws.dir, { segmentSize: 4 }), (error: unknown) => isDamage("kb-segment-corrupt")(error) && /checksum/.test((error as Error).message));
    const { kb } = await rebuildKnowledgeBase(ws.dir, { segmentSize: 4 });
    assert.equal(kb.search("bravo")[0]?.entry.id, ids[1]);
    await kb.close();
  });

  it("refuses an index whose section offsets were shifted off alignment, as damage and not an internal error", async () => {
    const path = join(segments, "000000.idx");
    const idx = readFileSync(path);
    const headerLength = idx.readUInt32LE(7);
    const header = idx.toString("utf8", 11, 11 + headerLength);
    const shifted = header.replace(/"lengths":\[(\d+),/, (_, n: string) => `"lengths":[${Number(n) + 2},`);
    assert.notEqual(shifted, header);
    writeFileSync(path, Buffer.concat([idx.subarray(0, 11), Buffer.from(shifted.slice(0, headerLength)), idx.subarray(11 + headerLength)]));
    await assert.rejects(openKnowledgeBaseReadOnly(ws.dir, { segmentSize: 4 }), isDamage("kb-segment-corrupt"));
  });

  it("reports a deleted entries file as missing, with the rebuild command, when a sealed entry is read", async () => {
    rmSync(join(segments, "000000.jsonl"));
    const kb = await openKnowledgeBaseReadOnly(ws.dir, { segmentSize: 4 });
    assert.throws(() => kb.get(ids[0]!), isDamage("kb-segment-missing"));
    assert.throws(() => kb.entries(), isDamage("kb-segment-missing"));
  });

  it("reports an entry line changed in place (same length) as damage instead of returning the changed text", async () => {
    const path = join(segments, "000000.jsonl");
    writeFileSync(path, readFileSync(path, "utf8").replace("the charlie entry", "the CHARLIE entry"));
    const kb = await openKnowledgeBaseReadOnly(ws.dir, { segmentSize: 4 });
    assert.equal(kb.get(ids[0]!)?.title, "alpha", "undamaged lines still read");
    assert.throws(() => kb.get(ids[2]!), isDamage("kb-segment-corrupt"));
    assert.throws(() => kb.entries(), isDamage("kb-segment-corrupt"));
  });

  it("reports a changed vector file as damage", async () => {
    const path = join(segments, "000000.vec");
    const vec = readFileSync(path);
    vec.writeFloatLE(9, vec.length - 4);
    writeFileSync(path, vec);
    const kb = await openKnowledgeBaseReadOnly(ws.dir, { segmentSize: 4 });
    assert.equal(kb.get(ids[0]!)?.embedding?.[1], 5, "undamaged vectors still read");
    assert.throws(() => kb.get(ids[4]!), isDamage("kb-segment-corrupt"));
    assert.throws(() => kb.search({ vector: [1, 5, 0.5] }), isDamage("kb-segment-corrupt"));
  });

  it("reports a sealed attempts chunk changed in place as damage instead of returning the changed attempts", async () => {
    const kb = await openKnowledgeBase(ws.dir, { segmentSize: 4, attemptChunkSize: 2 });
    for (const answer of ["41", "42", "43"]) kb.recordAttempt({ problemId: "p-1", agentId: "agent-1", generation: 0, answer, correct: answer === "42" });
    await kb.commitRound();
    await kb.close();
    const path = join(segments, "attempts-000000.jsonl");
    writeFileSync(path, readFileSync(path, "utf8").replace('"answer":"41","correct":false', '"answer":"42","correct":true '));
    const reader = await openKnowledgeBaseReadOnly(ws.dir, { segmentSize: 4, attemptChunkSize: 2 });
    assert.throws(() => reader.attempts(), isDamage("kb-segment-corrupt"));
  });
});
