// Where `pypi:` models are kept: `<modelsDir>/pypi/<package>/<version>/<file>.gguf`, each beside a sidecar
// `<file>.gguf.sha256` written once the file was verified: a sha256sum line (so `sha256sum -c` checks it too)
// after a comment line, which sha256sum skips, holding the file's size and modification time (ns) then. A cached
// model is used without network and without rehashing 100 MB on every run while both are unchanged; a file whose
// size or time differs (written to, touched, copied without -p) or that has no marker is hashed again, against the
// known table or the marker's hash, used only if it matches, and marked again.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { writeFileAtomic } from "../../workspace-kb/atomicFile";
import { knownPypiModel } from "./knownPypiModels";

export function pypiPackageDir(modelsDir: string, name: string): string {
  return join(modelsDir, "pypi", name);
}

export function pypiVersionDir(modelsDir: string, name: string, version: string): string {
  return join(pypiPackageDir(modelsDir, name), version);
}

/** Marks `path` as hashing to `sha256` as it is now (its size and modification time). */
export async function markVerified(path: string, sha256: string): Promise<void> {
  const { size, mtimeNs } = await stat(path, { bigint: true });
  await writeFileAtomic(`${path}.sha256`, `# size ${size} mtime ${mtimeNs}\n${sha256}  ${basename(path)}\n`);
}

/**
 * The verified cached model of `name` (at `version`, or the newest version cached), or undefined. With
 * `rehash: false` a file whose marker is not intact counts as not cached (for a fast listing).
 */
export async function findCachedPypiModel(modelsDir: string, name: string, version: string | undefined, rehash = true): Promise<string | undefined> {
  const versions = version !== undefined ? [version] : (await listDir(pypiPackageDir(modelsDir, name))).filter((v) => !v.startsWith(".")).sort(compareVersions).reverse();
  for (const v of versions) {
    const dir = pypiVersionDir(modelsDir, name, v);
    for (const file of (await listDir(dir)).filter((f) => f.endsWith(".gguf") && !f.startsWith("."))) {
      if (await isVerified(join(dir, file), knownPypiModel(name, v)?.sha256, rehash)) return join(dir, file);
    }
  }
  return undefined;
}

async function isVerified(path: string, knownSha256: string | undefined, rehash: boolean): Promise<boolean> {
  const file = await stat(path, { bigint: true }).catch(() => undefined);
  if (!file?.isFile()) return false;
  const marker = await readMarker(`${path}.sha256`);
  const unchanged = marker !== undefined && marker.size === String(file.size) && marker.mtimeNs === String(file.mtimeNs);
  if (unchanged && (knownSha256 === undefined || marker.sha256 === knownSha256)) return true;
  const expected = knownSha256 ?? marker?.sha256;
  if (!rehash || expected === undefined) return false;
  if ((await sha256Of(path)) !== expected) return false;
  await markVerified(path, expected);
  return true;
}

async function readMarker(path: string): Promise<{ sha256: string; size: string; mtimeNs: string } | undefined> {
  try {
    const text = await readFile(path, "utf8");
    const stamp = /^# size (\d+) mtime (\d+)$/m.exec(text);
    const sha256 = /^([0-9a-f]{64}) {2}/m.exec(text)?.[1];
    return stamp && sha256 !== undefined ? { sha256, size: stamp[1]!, mtimeNs: stamp[2]! } : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined; // no marker: the file is hashed again
    throw error;
  }
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (["ENOENT", "ENOTDIR"].includes((error as NodeJS.ErrnoException).code ?? "")) return []; // nothing cached there
    throw error;
  }
}

/** Dotted versions by their numbers (0.10 after 0.9); text parts compare as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+!_-]/);
  const pb = b.split(/[.+!_-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "";
    const y = pb[i] ?? "";
    const diff = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (diff !== 0) return diff;
  }
  return 0;
}
