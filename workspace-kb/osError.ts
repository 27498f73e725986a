// The operating system's errors as messages a person can act on, at the doors where files are touched: which
// file, what is wrong with it, and what to do. A read-only disk or a full one is the environment, not a bug.
import { CultureLabError } from "./errors";

const REASONS: Record<string, [reason: string, hint: string]> = {
  EROFS: ["the file system is read-only", "Run in a folder on a writable disk, or remount it writable."],
  ENOSPC: ["the disk is full", "Free some space and run again; every round reported committed is on disk."],
  EDQUOT: ["the disk quota is used up", "Free some space and run again; every round reported committed is on disk."],
  EACCES: ["permission denied", "Check who owns the file or folder and its permissions."],
  EPERM: ["the operation is not permitted", "Check who owns the file or folder and its permissions."],
  ENOTDIR: ["a part of the path is a file where a folder was expected", "Check the path: a file stands where a folder should be (is --workspace a file?)."],
  EISDIR: ["it is a folder where a file was expected", "Move the folder aside; Culture Lab writes a file there."],
  EEXIST: ["something else already exists there", "Move it aside, or choose another path."],
  ENOENT: ["it does not exist", "Check the path."],
  EMFILE: ["too many files are open", "Close other programs or raise the open-file limit (ulimit -n)."],
  ENFILE: ["too many files are open on this system", "Close other programs and run again."],
  EIO: ["the disk reported an input/output error", "Check the disk or network share; then run again."],
  ENAMETOOLONG: ["the path is too long", "Use a shorter path."],
  ELOOP: ["the path has a loop of symbolic links", "Fix the symbolic links in the path."],
};

/** The CultureLabError for an operating-system error, or undefined when `error` is not one. */
export function fromOsError(error: unknown, path?: string): CultureLabError | undefined {
  if (error instanceof CultureLabError || !(error instanceof Error)) return undefined;
  const { code, syscall, path: errorPath, dest } = error as NodeJS.ErrnoException & { dest?: string };
  if (typeof code !== "string" || !REASONS[code]) return undefined;
  const [reason, hint] = code === "EEXIST" && syscall === "mkdir" ? ["it is a file where a folder was expected", "Move the file aside; Culture Lab keeps a folder there."] : REASONS[code];
  const where = errorPath ?? path;
  const action = syscall ? ` (${syscall}${dest ? ` to ${dest}` : ""})` : "";
  return new CultureLabError(`fs-${code.toLowerCase()}`, where ? `Cannot use ${where}${action}: ${reason}.` : `A file operation failed${action}: ${reason}.`, hint, { cause: error });
}

/** Runs `work`, turning an operating-system error into a CultureLabError that names the file. */
export async function translatingOsErrors<T>(work: () => Promise<T>, path?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromOsError(error, path) ?? error;
  }
}
