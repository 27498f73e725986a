// Small input files a user names (a configuration, a proposal), read only once measured: a device such as
// /dev/zero or a pipe never ends, and a huge file is a mistake to say, not to load.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { CultureLabError } from "./errors";

/** Reads `path` whole if it is a regular file of at most `maxBytes`; otherwise says what it is instead. */
export function readSmallFile(path: string, maxBytes: number, what: string, code: string): Buffer {
  const refuse = (why: string, cause?: unknown) => new CultureLabError(code, `Cannot read the ${what} ${path}: ${why}.`, `Pass a ${what} file of at most ${maxBytes.toLocaleString("en-US")} bytes.`, { cause });
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK); // a pipe with no writer must not block the open
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    throw refuse(errno === "ENOENT" ? "it does not exist" : errno === "EACCES" ? "permission denied" : (error as Error).message, error);
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw refuse("it is a folder");
    if (!info.isFile()) throw refuse("it is not a regular file (a device or a pipe)");
    if (info.size > maxBytes) throw refuse(`it is ${info.size.toLocaleString("en-US")} bytes`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let read = 0;
    for (let n; read < buffer.length && (n = readSync(fd, buffer, read, buffer.length - read, read)) > 0; ) read += n;
    if (read > maxBytes) throw refuse("it grew while it was read");
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
