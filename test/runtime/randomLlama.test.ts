import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { sharedLlama } from "../../agents/runtime/sharedLlama";
import { runCli } from "../../agents/cli/main";
import { toFloat16Bits } from "../../agents/gguf/float16";
import { TINY_SPEC, writeRandomLlama } from "../../agents/gguf/randomLlama";
import { captureIO } from "../helpers/captureIO";

const sha256 = async (path: string) => createHash("sha256").update(await readFile(path)).digest("hex");

describe("the random-weight GGUF writer", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "cl-gguf-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the same bytes for the same seed and different bytes for another seed", async () => {
    await writeRandomLlama(join(dir, "a.gguf"), TINY_SPEC);
    await writeRandomLlama(join(dir, "b.gguf"), TINY_SPEC);
    await writeRandomLlama(join(dir, "c.gguf"), { ...TINY_SPEC, seed: 2 });
    assert.equal(await sha256(join(dir, "a.gguf")), await sha256(join(dir, "b.gguf")));
    assert.notEqual(await sha256(join(dir, "a.gguf")), await sha256(join(dir, "c.gguf")));
  });

  it("writes a tiny model of a few hundred KB whose metadata node-llama-cpp reads back", async () => {
    const path = join(dir, "tiny.gguf");
    await writeRandomLlama(path, TINY_SPEC);
    const size = (await stat(path)).size;
    assert.ok(size > 100_000 && size < 1_000_000, `tiny model is ${size} bytes`);
    const info = await readGgufFileInfo(path);
    assert.equal(info.metadata.general.architecture, "llama");
    const llama = info.metadata.llama as { block_count: number; embedding_length: number };
    assert.equal(llama.block_count, TINY_SPEC.layers);
    assert.equal(llama.embedding_length, TINY_SPEC.dim);
  });

  it("writes a model that the real llama.cpp loads, round-trips text through, and generates from", async () => {
    const path = join(dir, "gen.gguf");
    await writeRandomLlama(path, TINY_SPEC);
    const llama = (await sharedLlama(false, 1)).llama;
    const model = await llama.loadModel({ modelPath: path });
    try {
      const text = 'Hello, {"answer": 42}\n';
      assert.equal(model.detokenize(model.tokenize(text)), text);
      const context = await model.createContext({ contextSize: 128, threads: 1 });
      const generated: number[] = [];
      for await (const token of context.getSequence().evaluate(model.tokenize("Hi"), { temperature: 0.8, seed: 7 })) {
        generated.push(token);
        if (generated.length === 16) break;
      }
      assert.equal(generated.length, 16);
    } finally {
      await model.dispose();
    }
  });

  it("converts to half precision like IEEE-754 binary16", () => {
    // Reference bit patterns from the IEEE-754 binary16 definition.
    assert.equal(toFloat16Bits(1), 0x3c00);
    assert.equal(toFloat16Bits(-2), 0xc000);
    assert.equal(toFloat16Bits(65504), 0x7bff);
    assert.equal(toFloat16Bits(1e6), 0x7c00);
    assert.equal(toFloat16Bits(0.1), 0x2e66);
    assert.equal(toFloat16Bits(2 ** -24), 0x0001);
    assert.equal(toFloat16Bits(2 ** -14), 0x0400);
    assert.equal(toFloat16Bits(0), 0x0000);
  });

  it("is driven from the command line with stated dimensions", async () => {
    const io = captureIO(dir);
    assert.equal(await runCli(["make-model", "tiny", "cli.gguf", "--dim", "128", "--layers", "1", "--type", "f16"], io), 0);
    assert.match(io.stdout(), /wrote .*cli\.gguf: random-llama-d128-l1-h2-kv2-ff320-f16/);
    const info = await readGgufFileInfo(join(dir, "cli.gguf"));
    assert.equal((info.metadata.llama as { embedding_length: number }).embedding_length, 128);
  });

  it("does not overwrite an existing file unless asked with --force", async () => {
    const io = captureIO(dir);
    assert.equal(await runCli(["make-model", "tiny", "twice.gguf", "--seed", "1"], io), 0);
    const first = readFileSync(join(dir, "twice.gguf"));
    assert.equal(await runCli(["make-model", "tiny", "twice.gguf", "--seed", "2"], io), 1);
    assert.match(io.stderr(), /twice\.gguf already exists; make-model does not overwrite a file unasked\.\n  → Pass --force/);
    assert.deepEqual(readFileSync(join(dir, "twice.gguf")), first, "the existing model is untouched");
    assert.equal(await runCli(["make-model", "tiny", "twice.gguf", "--seed", "2", "--force"], io), 0);
    assert.notDeepEqual(readFileSync(join(dir, "twice.gguf")), first);
  });

  it("refuses dimensions that do not fit together, saying why", async () => {
    const io = captureIO(dir);
    assert.equal(await runCli(["make-model", "tiny", "bad.gguf", "--heads", "5"], io), 1);
    assert.match(io.stderr(), /not a multiple of the 5 heads/);
    assert.equal(await runCli(["make-model", "huge", "bad.gguf"], io), 1);
    assert.match(io.stderr(), /unknown preset 'huge'/);
  });
});
