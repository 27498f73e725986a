import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addHumanNote, insertNote } from "../../workspace-kb/humanNoteWriter";
import { parseHumanNotes } from "../../workspace-kb/humanNotes";
import { openKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { GENERATED_MARKER, NEW_HUMAN_PART, userPart } from "../../workspace-kb/notesFile";
import { tempWorkspace } from "./tempWorkspace";

describe("adding a human note from the editor", () => {
  it("creates NOTES.md with the Human notes section when there is none, and the parser reads the note back", () => {
    const { content: bytes, line } = insertNote(new Uint8Array(), "Sort first", "Sorting makes the search stop early.");
    const content = bytes.toString("utf8");
    assert.ok(content.startsWith(NEW_HUMAN_PART.trimEnd()));
    assert.equal(content.split("\n")[line - 1], "### Sort first");
    assert.deepEqual(parseHumanNotes(userPart(bytes)).notes.map((n) => [n.title, n.text]), [["Sort first", "Sorting makes the search stop early."]]);
  });

  it("appends at the end of the section, keeps the person's other notes and the generated part byte for byte", () => {
    const user = `${NEW_HUMAN_PART}### Mine\n\nMy own words.  \n\n`;
    const generated = `${GENERATED_MARKER}\n\n## Agent notes\n\nagent text\n`;
    const { content: bytes } = insertNote(Buffer.from(user + generated), "Second", "Another one.");
    const content = bytes.toString("utf8");
    assert.ok(content.endsWith(generated), "the generated part is untouched");
    assert.ok(content.startsWith(`${NEW_HUMAN_PART}### Mine\n\nMy own words.  \n`), "the person's text is untouched");
    assert.deepEqual(parseHumanNotes(userPart(bytes)).notes.map((n) => [n.title, n.text]), [["Mine", "My own words."], ["Second", "Another one."]]);
  });

  it("keeps bytes that are not UTF-8 in the person's part exactly as they were", () => {
    const latin1 = Buffer.concat([Buffer.from(`${NEW_HUMAN_PART}### Caf`), Buffer.from([0xe9]), Buffer.from("\n\nold bytes\n")]);
    const { content } = insertNote(latin1, "New", "note");
    assert.ok(content.subarray(0, latin1.length - 1).equals(latin1.subarray(0, latin1.length - 1)));
  });

  it("refuses text that would break the file's structure, saying why", async () => {
    const { dir, remove: cleanup } = tempWorkspace();
    try {
      const path = join(dir, "NOTES.md");
      await assert.rejects(addHumanNote(path, { title: "x", text: "## A section" }), /heading/);
      await assert.rejects(addHumanNote(path, { title: "x", text: `sneaky ${GENERATED_MARKER}` }), /HTML comment/);
      await assert.rejects(addHumanNote(path, { title: "   ", text: "no title" }), /needs a title/);
      await assert.rejects(addHumanNote(path, { title: "x", text: "y".repeat(100_001) }), /at most 100000/);
    } finally {
      cleanup();
    }
  });

  it("is taken in as an entry by human at the next round, even while that round rewrites the file", async () => {
    const { dir, remove: cleanup } = tempWorkspace();
    try {
      const kb = await openKnowledgeBase(dir);
      try {
        kb.addEntry({ kind: "note", author: "agent-0", generation: 0, title: "first", text: "a note" });
        // The note is added while the round renders NOTES.md: neither may lose the other's write.
        await Promise.all([kb.commitRound(), addHumanNote(kb.paths.notes, { title: "While you wrote", text: "Check the output's order." })]);
        await kb.commitRound();
        const humans = kb.entries({ kinds: ["human"] });
        assert.deepEqual(humans.map((e) => [e.author, e.title, e.text]), [["human", "While you wrote", "Check the output's order."]]);
        assert.match(readFileSync(kb.paths.notes, "utf8"), /### While you wrote\n\nCheck the output's order\./);
      } finally {
        await kb.close();
      }
    } finally {
      cleanup();
    }
  });

  it("is not lost when the person saves the file between our read and our write", async () => {
    const { dir, remove: cleanup } = tempWorkspace();
    try {
      const path = join(dir, "NOTES.md");
      writeFileSync(path, NEW_HUMAN_PART);
      const adding = addHumanNote(path, { title: "From the command", text: "one" });
      writeFileSync(path, `${NEW_HUMAN_PART}### Typed in the editor\n\ntwo\n`);
      await adding;
      const titles = parseHumanNotes(userPart(readFileSync(path))).notes.map((n) => n.title);
      assert.ok(titles.includes("From the command"), titles.join(","));
      assert.ok(titles.includes("Typed in the editor"), titles.join(","));
    } finally {
      cleanup();
    }
  });
});
