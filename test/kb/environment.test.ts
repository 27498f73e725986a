// The environment going wrong (a file where a folder should be, a full disk) is said as such, naming the file,
// by the knowledge base and by the command line, never as "internal error — please report it".
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { CultureLabError } from "../../workspace-kb/errors";
import { openKnowledgeBase, openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import { fromOsError } from "../../workspace-kb/osError";
import { captureIO } from "../helpers/captureIO";
import { note, tempWorkspace } from "./tempWorkspace";

async function refusedNaming(promise: Promise<unknown>, path: string, reason: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CultureLabError, `expected a CultureLabError, got ${String(error)}`);
    assert.ok(error.message.includes(path), `${error.message} names ${path}`);
    assert.match(error.message, reason);
    return;
  }
  assert.fail("expected a refusal");
}

describe("environment errors at the knowledge base's doors", () => {
  let ws: ReturnType<typeof tempWorkspace>;
  beforeEach(() => {
    ws = tempWorkspace();
  });
  afterEach(() => ws.remove());

  async function kb(...args: string[]) {
    const io = captureIO(ws.dir);
    const code = await runCli(["kb", ...args], io);
    return { code, stderr: io.stderr() };
  }

  it("a .culture that is a file is refused naming it, and the CLI says so without a stack trace", async () => {
    const folder = join(ws.dir, ".culture");
    writeFileSync(folder, "not a folder");
    await refusedNaming(openKnowledgeBase(ws.dir), folder, /is a file where a folder was expected/);
    await refusedNaming(openKnowledgeBaseReadOnly(ws.dir), folder, /a file where a folder was expected/);
    const { code, stderr } = await kb("rebuild", "--workspace", ws.dir);
    assert.equal(code, 1);
    assert.match(stderr, /\.culture/);
    assert.doesNotMatch(stderr, /internal error|at .*\.ts:\d+/);
    assert.equal(readFileSync(folder, "utf8"), "not a folder", "the file is left alone");
  });

  it("a kb.json that is a folder is refused naming it", async () => {
    const kbJson = join(ws.dir, ".culture", "kb.json");
    mkdirSync(kbJson, { recursive: true });
    await refusedNaming(openKnowledgeBaseReadOnly(ws.dir), kbJson, /a folder where a file was expected/);
    const { code, stderr } = await kb("status", "--workspace", ws.dir);
    assert.equal(code, 1);
    assert.match(stderr, /kb\.json.*a folder where a file was expected/);
  });

  it("a NOTES.md or events.jsonl that is a folder is refused naming it", async () => {
    const notes = join(ws.dir, ".culture", "NOTES.md");
    mkdirSync(notes, { recursive: true });
    const kb = await openKnowledgeBase(ws.dir); // NOTES.md is first read at the round's commit
    await refusedNaming(kb.commitRound(), notes, /a folder where a file was expected/);
    await kb.close();
    rmSync(notes, { recursive: true });
    rmSync(join(ws.dir, ".culture", "events.jsonl"), { force: true });
    rmSync(join(ws.dir, ".culture", "kb.json"), { force: true });
    const events = join(ws.dir, ".culture", "events.jsonl");
    mkdirSync(events);
    await refusedNaming(openKnowledgeBaseReadOnly(ws.dir), events, /a folder where a file was expected/);
  });

  it("a workspace that is a file is refused naming it", async () => {
    const file = join(ws.dir, "workspace.txt");
    writeFileSync(file, "");
    await refusedNaming(openKnowledgeBase(file), file, /a file where a folder was expected/);
  });

  it("a full disk during a commit is said as such, naming the file, and the earlier rounds stay intact", async () => {
    const first = await openKnowledgeBase(ws.dir);
    const kept = first.addEntry(note("kept", "committed before the disk filled")).id;
    await first.commitRound();
    await first.close();
    // /dev/full refuses every write with ENOSPC, as a full disk does.
    const events = join(ws.dir, ".culture", "events.jsonl");
    const saved = readFileSync(events);
    rmSync(events);
    symlinkSync("/dev/full", events);
    rmSync(join(ws.dir, ".culture", "kb.json"));
    const full = await openKnowledgeBase(ws.dir);
    full.addEntry(note("lost", "the disk is full"));
    await refusedNaming(full.commitRound(), events, /the disk is full/);
    await full.close();
    rmSync(events);
    writeFileSync(events, saved);
    const again = await openKnowledgeBase(ws.dir);
    assert.ok(again.has(kept));
    await again.close();
  });

  it("a read-only file system is named as such (the error as Node reports it; this machine cannot mount one for the test)", () => {
    const error = Object.assign(new Error("EROFS: read-only file system, open '/mnt/ro/.culture/kb.json.tmp-1'"), {
      code: "EROFS", errno: -30, syscall: "open", path: "/mnt/ro/.culture/kb.json.tmp-1",
    });
    const translated = fromOsError(error);
    assert.ok(translated instanceof CultureLabError);
    assert.equal(translated.explain(), "Cannot use /mnt/ro/.culture/kb.json.tmp-1 (open): the file system is read-only.\n  → Run in a folder on a writable disk, or remount it writable.");
    assert.equal(fromOsError(new Error("a bug")), undefined, "an error that is not the operating system's stays a bug");
  });
});
