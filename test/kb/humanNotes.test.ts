import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { GENERATED_MARKER } from "../../workspace-kb/notesFile";
import { tempWorkspace } from "./tempWorkspace";

describe("the user's human notes", () => {
  let ws: ReturnType<typeof tempWorkspace>;
  let path: string;
  let kb: KnowledgeBase;
  beforeEach(async () => {
    ws = tempWorkspace();
    path = join(ws.dir, ".culture", "NOTES.md");
    kb = await openKnowledgeBase(ws.dir);
    await kb.commitRound(); // NOTES.md with an empty Human notes section
  });
  afterEach(async () => {
    await kb.close();
    ws.remove();
  });

  /** Puts `mine` (bytes) in place of the user's part, keeping the generated part. */
  function writeUserPart(mine: Buffer | string): Buffer {
    const content = readFileSync(path);
    const bytes = Buffer.concat([Buffer.from(mine), content.subarray(content.indexOf(GENERATED_MARKER))]);
    writeFileSync(path, bytes);
    return Buffer.from(mine);
  }

  const humanTitles = () => kb.entries({ kinds: ["human"] }).map((entry) => entry.title);

  it("keeps and ingests every note after one that quotes the generated-marker line", async () => {
    const mine = writeUserPart(
      `## Human notes\n\n### What the marker looks like\nThe tool writes this line:\n${GENERATED_MARKER}\nand rewrites what follows it.\n\n` +
        "### Second note\nStill mine.\n\n### Third note\nAlso mine.\n",
    );
    const receipt = await kb.commitRound();
    assert.equal(receipt.humanNotesIngested, 3);
    assert.deepEqual(humanTitles(), ["What the marker looks like", "Second note", "Third note"]);
    assert.ok(readFileSync(path).subarray(0, mine.length).equals(mine), "the user's part is kept byte for byte");
    await kb.commitRound();
    assert.ok(readFileSync(path).subarray(0, mine.length).equals(mine), "and again at the next round");
    assert.equal(humanTitles().length, 3);
  });

  it("refuses an 8 MB note instead of cutting it, says why in NOTES.md and the receipt, and takes it once it fits", async () => {
    const huge = `${"a few words of a very long note ".repeat(262_144)}END`;
    const mine = writeUserPart(`## Human notes\n\n### Short\nfine\n\n### Huge\n${huge}\n`);
    const receipt = await kb.commitRound();
    assert.deepEqual(humanTitles(), ["Short"]);
    assert.equal(receipt.humanNotesRefused.length, 1);
    assert.equal(receipt.humanNotesRefused[0]!.title, "Huge");
    assert.equal(receipt.humanNotesRefused[0]!.line, 6);
    assert.match(receipt.humanNotesRefused[0]!.reason, /8,388,611 characters .* at most 100,000; split it/);
    const content = readFileSync(path);
    assert.ok(content.subarray(0, mine.length).equals(mine), "the huge note is still there, whole");
    assert.match(content.subarray(mine.length).toString("utf8"), /## Human notes not taken[\s\S]*line 6, “Huge”: it has 8,388,611 characters/);

    writeUserPart(`## Human notes\n\n### Short\nfine\n\n### Huge\n${huge.slice(0, 50_000)}\n`);
    const next = await kb.commitRound();
    assert.equal(next.humanNotesIngested, 1);
    assert.deepEqual(next.humanNotesRefused, []);
    assert.doesNotMatch(readFileSync(path, "utf8"), /Human notes not taken/);
  });

  it("keeps bytes that are not UTF-8 as they are, refuses only the note that holds them, and ingests the others", async () => {
    const mine = writeUserPart(Buffer.concat([
      Buffer.from("## Human notes\n\n### Latin-1 note\ncaf"),
      Buffer.from([0xe9, 0x20, 0xff, 0xfe]), // "café" in Latin-1, then bytes no encoding of UTF-8 has
      Buffer.from("\n\n### Clean note\nplain text\n"),
    ]));
    const receipt = await kb.commitRound();
    assert.deepEqual(humanTitles(), ["Clean note"]);
    assert.deepEqual(receipt.humanNotesRefused.map((r) => [r.title, r.line]), [["Latin-1 note", 3]]);
    assert.match(receipt.humanNotesRefused[0]!.reason, /line 4 holds bytes that are not UTF-8/);
    assert.ok(readFileSync(path).subarray(0, mine.length).equals(mine), "the user's bytes are not rewritten");
  });

  it("says so when an unclosed comment hides the rest of the section", async () => {
    writeUserPart("## Human notes\n\n### Seen\nvisible\n\n<!-- a comment the user forgot to close\n\n### Hidden\nnot visible\n");
    const receipt = await kb.commitRound();
    assert.deepEqual(humanTitles(), ["Seen"]);
    assert.equal(receipt.humanNotesRefused[0]?.line, 6);
    assert.match(receipt.humanNotesRefused[0]!.reason, /never closed/);
  });
});
