// One writer per knowledge base: proper-lockfile's lock directory (.culture/session.lock, kept fresh by its
// mtime) plus an owner file naming pid, host and start time, so a refusal can say who holds it, and a lock
// left by a process that died on this host is recovered at once instead of after the stale timeout.
import { readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { CultureLabError } from "./errors";

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export interface SessionLock {
  readonly owner: LockOwner;
  /** Set when another process took the lock away (e.g. this one was suspended past the stale time). */
  readonly compromised: Error | undefined;
  release(): Promise<void>;
}

const STALE_MS = 10_000;

export async function acquireSessionLock(folder: string): Promise<SessionLock> {
  const lockPath = join(folder, "session.lock");
  const ownerPath = join(folder, "session.owner.json");
  let compromised: Error | undefined;
  const options = {
    lockfilePath: lockPath,
    realpath: false,
    stale: STALE_MS,
    retries: 0,
    onCompromised: (error: Error) => {
      compromised = error;
    },
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(folder, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
    const owner = await readOwner(ownerPath);
    if (owner && owner.host === hostname() && owner.pid !== process.pid && !isAlive(owner.pid)) {
      // The owner died without releasing (crash, SIGKILL): its lock protects nothing any more.
      await rm(lockPath, { recursive: true, force: true });
      release = await lockfile.lock(folder, options).catch((again: unknown) => {
        throw refusal(folder, owner, again);
      });
    } else {
      throw refusal(folder, owner, error);
    }
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeFile(ownerPath, `${JSON.stringify(owner)}\n`);
  return {
    owner,
    get compromised() {
      return compromised;
    },
    async release() {
      await rm(ownerPath, { force: true });
      await release();
    },
  };
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

function isAlive(pid: number): boolean {
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
    `Stop that session first. A lock left by a crash on another host is taken over after ${STALE_MS / 1000} s without updates.`,
    { cause },
  );
}
