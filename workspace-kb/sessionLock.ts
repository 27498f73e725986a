// One writer per knowledge base: proper-lockfile's lock directory (.culture/session.lock, kept fresh by its
// mtime) plus an owner file naming pid, host, start time and a token only this holder knows. Who may take a
// lock over is decided here, not by the mtime alone: on this host a lock is taken over only when its owner
// process is gone (a suspended process is alive and keeps its lock however long it sleeps); a lock from
// another host is taken over once it has not been refreshed for STALE_MS. Because a takeover can still race
// (two processes finding the same dead owner, a folder shared between hosts), a holder checks before every
// commit that the owner file still carries its token, and releasing removes only files it still owns.
import { randomUUID } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { writeFileAtomic } from "./atomicFile";
import { CultureLabError } from "./errors";

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** Random per acquisition; absent in owner files written before it existed. */
  token?: string;
}

export interface SessionLock {
  readonly owner: LockOwner;
  /** Set when the lock was found taken away (its folder changed or vanished, or another owner file appeared). */
  readonly compromised: Error | undefined;
  /** Resolves if this holder still owns the lock; otherwise throws kb-lock-lost (and stays compromised). */
  verify(): Promise<void>;
  release(): Promise<void>;
}

/** A lock from another host not refreshed for this long is taken over. */
export const STALE_MS = 10_000;
/** proper-lockfile refreshes the lock's mtime this often. */
const UPDATE_MS = 2_000;
/** proper-lockfile must never decide staleness by itself (it would take over a suspended local owner). */
const NEVER_STALE = 1e12;

export async function acquireSessionLock(folder: string): Promise<SessionLock> {
  const lockPath = join(folder, "session.lock");
  const ownerPath = join(folder, "session.owner.json");
  let compromised: Error | undefined;
  const options = {
    lockfilePath: lockPath,
    realpath: false,
    stale: NEVER_STALE,
    update: UPDATE_MS,
    retries: 0,
    onCompromised: (error: Error) => {
      compromised ??= error;
    },
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(folder, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw translateLockError(folder, error);
    const owner = await readOwner(ownerPath);
    if (!(await mayTakeOver(lockPath, owner))) throw refusal(folder, owner, error);
    // The holder is gone (a crash on this host), or silent past STALE_MS on another host.
    await rm(lockPath, { recursive: true, force: true });
    release = await lockfile.lock(folder, options).catch((again: unknown) => {
      throw refusal(folder, owner, again);
    });
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomUUID() };
  await writeFileAtomic(ownerPath, `${JSON.stringify(owner)}\n`);
  const lost = (why: string) =>
    new CultureLabError("kb-lock-lost", `This session no longer holds the lock on ${folder}: ${why}. Nothing more was written.`,
      "Another process may be writing to the knowledge base: close this session, check with `culture-lab kb status`, and start again.");
  const lock: SessionLock = {
    owner,
    get compromised() {
      return compromised;
    },
    async verify() {
      if (compromised) throw lost(compromised.message);
      const now = await readOwner(ownerPath);
      if (now?.token !== owner.token) {
        compromised = new Error(now ? `it is now held by process ${now.pid} on ${now.host}, since ${now.startedAt}` : "its owner file is gone");
        throw lost(compromised.message);
      }
      if ((await ageOf(lockPath)) === undefined) {
        compromised = new Error("the lock folder session.lock was removed");
        throw lost(compromised.message);
      }
    },
    async release() {
      // Never remove what another holder made: its owner file, or the lock folder proper-lockfile would rmdir.
      if ((await readOwner(ownerPath))?.token !== owner.token) return;
      // The folder first, then the owner file. A process killed between the two (a second Ctrl-C, SIGKILL) then
      // leaves an owner file naming a dead process, which the next holder overwrites and clearDeadOwner removes;
      // the other order left a lock folder nobody owned, which refused every session until it went stale.
      if (!compromised) await release();
      // Read again: once the folder is gone another session may already have written its own owner file.
      if ((await readOwner(ownerPath))?.token === owner.token) await rm(ownerPath, { force: true });
    },
  };
  await lock.verify(); // a racing takeover that wrote its owner file after ours
  return lock;
}

/** Whether a lock held by `owner` (as its owner file says) may be removed. */
async function mayTakeOver(lockPath: string, owner: LockOwner | undefined): Promise<boolean> {
  if (owner && owner.host === hostname()) {
    // Alive (running, or stopped by Ctrl-Z / SIGSTOP / a closed lid): never. Gone: at once.
    return owner.pid !== process.pid && !isAlive(owner.pid);
  }
  // Another host's holder, or one that has not yet said who it is: only once it stopped refreshing the lock.
  const age = await ageOf(lockPath);
  return age === undefined || age > STALE_MS;
}

/** Milliseconds since the lock folder was last refreshed, or undefined when it does not exist. */
async function ageOf(lockPath: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Who holds the lock, if anyone says so. */
export async function readOwner(ownerPath: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(ownerPath, "utf8")) as Partial<LockOwner>;
    if (typeof owner.pid === "number" && typeof owner.host === "string" && typeof owner.startedAt === "string") {
      return owner as LockOwner;
    }
  } catch {
    // Missing or half-written owner file: the holder is unknown, which the refusal says.
  }
  return undefined;
}

/**
 * Whether the owner file names a holder that is gone: a process on this host that no longer exists. (Another
 * host's holder cannot be checked from here; its lock is judged by age when a session tries to take it.)
 */
export function isStaleOwner(owner: LockOwner): boolean {
  return owner.host === hostname() && !isAlive(owner.pid);
}

/**
 * Removes the lock left by `pid` on this host once that process is gone (a client whose engine was killed cleans
 * up after it). Nothing is removed while the process lives, nor a lock another process holds.
 */
export async function clearDeadOwner(folder: string, pid: number): Promise<boolean> {
  const ownerPath = join(folder, "session.owner.json");
  const owner = await readOwner(ownerPath);
  if (!owner || owner.pid !== pid || !isStaleOwner(owner)) return false;
  await rm(ownerPath, { force: true });
  await rm(join(folder, "session.lock"), { recursive: true, force: true });
  return true;
}

/** Whether a process with this id exists on this host (one we may not signal still exists). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function refusal(folder: string, owner: LockOwner | undefined, cause: unknown): CultureLabError {
  const who = owner
    ? `process ${owner.pid} on ${owner.host}, started ${owner.startedAt}`
    : "another process (it has not yet said which)";
  return new CultureLabError(
    "kb-locked",
    `The knowledge base in ${folder} is already open for writing by ${who}.`,
    owner?.host === hostname()
      ? `Stop that session first (if it is suspended, resume it with \`kill -CONT ${owner.pid}\` or stop it with \`kill ${owner.pid}\`).`
      : `Stop that session first. A lock left by a crash on another host is taken over after ${STALE_MS / 1000} s without updates.`,
    { cause },
  );
}

function translateLockError(folder: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new CultureLabError("kb-not-writable", `Cannot take the session lock in ${folder}: ${(error as Error).message}.`,
      "Check that the workspace folder is writable (not read-only, owned by you).", { cause: error });
  }
  return error;
}
