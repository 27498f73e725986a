import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, watch, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { openKnowledgeBase, rebuildKnowledgeBase } from "../../workspace-kb/knowledgeBase";
import { clearDeadOwner } from "../../workspace-kb/sessionLock";
import { note, tempWorkspace } from "./tempWorkspace";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);

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
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<CultureLabError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CultureLabError, `expected a CultureLabError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}

/** What a second writer that took the lock over leaves: a fresh lock folder and its own owner file. */
function takeOverAs(folder: string, owner: object): void {
  rmSync(join(folder, "session.lock"), { recursive: true, force: true });
  mkdirSync(join(folder, "session.lock"));
  writeFileSync(join(folder, "session.owner.json"), `${JSON.stringify(owner)}\n`);
}

const minuteAgo = () => new Date(Date.now() - 60_000);

/** The id of a process that has exited. */
function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  return new Promise((resolve) => child.once("exit", () => resolve(child.pid!)));
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe("the knowledge base's writer lock", () => {
  let ws: ReturnType<typeof tempWorkspace>;
  beforeEach(() => {
    ws = tempWorkspace();
  });
  afterEach(() => ws.remove());

  it("keeps the lock of a writer suspended past the stale time: a second writer on this host is refused", async () => {
    const holder = await holdInChild(ws.dir);
    try {
      holder.kill("SIGSTOP");
      // A stopped process refreshes nothing: its lock looks a minute old.
      const lockDir = join(ws.dir, ".culture", "session.lock");
      utimesSync(lockDir, minuteAgo(), minuteAgo());
      const error = await rejectsWith(openKnowledgeBase(ws.dir), "kb-locked");
      assert.match(error.message, new RegExp(`process ${holder.pid} on `));
      assert.match(error.hint ?? "", /kill -CONT/);
      assert.equal(JSON.parse(readFileSync(join(ws.dir, ".culture", "session.owner.json"), "utf8")).pid, holder.pid, "the owner file is the holder's");
      await rejectsWith(rebuildKnowledgeBase(ws.dir), "kb-locked");
    } finally {
      holder.kill("SIGCONT");
      await killed(holder);
    }
  });

  it("stops a writer whose lock was taken over before its next commit, and writes nothing", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    kb.addEntry(note("first", "committed while the lock was ours"));
    await kb.commitRound();
    const events = join(ws.dir, ".culture", "events.jsonl");
    const before = readFileSync(events);
    takeOverAs(join(ws.dir, ".culture"), { pid: 999_999, host: "other-host", startedAt: new Date().toISOString(), token: "theirs" });
    kb.addEntry(note("second", "must not reach the log"));
    const error = await rejectsWith(kb.commitRound(), "kb-lock-lost");
    assert.match(error.message, /held by process 999999 on other-host/);
    assert.deepEqual(readFileSync(events), before, "not one byte was appended");
    assert.throws(() => kb.addEntry(note("third", "x")), (e: unknown) => e instanceof CultureLabError && e.code === "kb-lock-lost");
    await kb.close();
  });

  it("closing a writer that lost its lock leaves the new holder's lock folder and owner file alone", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    const folder = join(ws.dir, ".culture");
    const theirs = { pid: 999_999, host: "other-host", startedAt: new Date().toISOString(), token: "theirs" };
    takeOverAs(folder, theirs);
    await kb.close();
    assert.deepEqual(JSON.parse(readFileSync(join(folder, "session.owner.json"), "utf8")), theirs);
    assert.ok(existsSync(join(folder, "session.lock")), "the new holder's lock folder is still there");
  });

  it("releases the lock folder before the owner file, so a writer killed in between leaves no lock that nobody owns", async () => {
    const kb = await openKnowledgeBase(ws.dir);
    const folder = join(ws.dir, ".culture");
    const removed: string[] = [];
    const watcher = watch(folder, (event, name) => {
      if (event === "rename" && name && !existsSync(join(folder, name)) && !removed.includes(name)) removed.push(name);
    });
    try {
      await kb.close();
      await until(() => removed.includes("session.owner.json"), 5_000);
    } finally {
      watcher.close();
    }
    assert.deepEqual(removed.filter((name) => name.startsWith("session.")), ["session.lock", "session.owner.json"]);
  });

  it("opens at once after a writer killed while releasing (its owner file left, its lock folder gone), and clearDeadOwner removes the file", async () => {
    const folder = join(ws.dir, ".culture");
    mkdirSync(folder);
    const dead = await deadPid();
    writeFileSync(join(folder, "session.owner.json"), `${JSON.stringify({ pid: dead, host: hostname(), startedAt: new Date().toISOString(), token: "killed" })}\n`);
    const kb = await openKnowledgeBase(ws.dir);
    assert.equal(kb.lockOwner?.pid, process.pid);
    await kb.close();
    writeFileSync(join(folder, "session.owner.json"), `${JSON.stringify({ pid: dead, host: hostname(), startedAt: new Date().toISOString(), token: "killed" })}\n`);
    assert.equal(await clearDeadOwner(folder, dead), true);
    assert.ok(!existsSync(join(folder, "session.owner.json")) && !existsSync(join(folder, "session.lock")));
  });

  it("takes over a lock from another host only once it has stopped being refreshed", async () => {
    const folder = join(ws.dir, ".culture");
    mkdirSync(folder);
    takeOverAs(folder, { pid: 4242, host: "laptop-elsewhere", startedAt: new Date().toISOString(), token: "theirs" });
    const error = await rejectsWith(openKnowledgeBase(ws.dir), "kb-locked");
    assert.match(error.message, /process 4242 on laptop-elsewhere/);
    utimesSync(join(folder, "session.lock"), minuteAgo(), minuteAgo());
    const kb = await openKnowledgeBase(ws.dir);
    assert.equal(kb.lockOwner?.pid, process.pid);
    await kb.close();
  });
});
