// One command must not be able to run without bound: inputs are measured before they are read, sizes before
// anything is written, and an output path that is not a plain file is never replaced.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { captureIO } from "../helpers/captureIO";

describe("commands with unbounded inputs", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "culture-bounds-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(...args: string[]) {
    const io = captureIO(dir);
    const code = await runCli(args, io);
    return { code, stderr: io.stderr() };
  }

  it("metrics refuses a device or a pipe at once, naming it, instead of reading without end", async () => {
    // /dev/zero is never read here: the check looks at what the path is before reading a byte.
    const zero = await cli("metrics", "/dev/zero");
    assert.equal(zero.code, 1);
    assert.match(zero.stderr, /\/dev\/zero is not a regular file/);
    spawnSync("mkfifo", [join(dir, "pipe")]);
    const pipe = await cli("metrics", join(dir, "pipe"));
    assert.equal(pipe.code, 1);
    assert.match(pipe.stderr, /pipe is not a regular file/);
  });

  it("metrics refuses a document over 1 MB by line number instead of computing for minutes", async () => {
    writeFileSync(join(dir, "long.jsonl"), `"short"\n${JSON.stringify("word ".repeat(300_000))}\n`);
    const { code, stderr } = await cli("metrics", "long.jsonl");
    assert.equal(code, 1);
    assert.match(stderr, /long\.jsonl, line 2 is 1500002 bytes; a document can be at most 1048576 bytes/);
  });

  it("make-model refuses sizes beyond its ceilings or the disk before writing a byte", async () => {
    for (const args of [["--context", "4294967296"], ["--dim", "1000000"], ["--layers", "100000"]]) {
      const { code, stderr } = await cli("make-model", "tiny", "big.gguf", ...args);
      assert.equal(code, 1, args.join(" "));
      assert.match(stderr, /is too large; the most make-model takes is/);
    }
    const { code, stderr } = await cli("make-model", "tiny", "big.gguf", "--dim", "16384", "--layers", "512", "--ffn", "131072");
    assert.equal(code, 1);
    assert.match(stderr, /these sizes make a [\d.]+ GB file; make-model writes at most 16\.0 GB/);
    assert.deepEqual(readdirSync(dir), [], "nothing was written");
  });

  it("make-model never replaces something that is not a regular file", async () => {
    const fifo = join(dir, "model-pipe");
    spawnSync("mkfifo", [fifo]);
    const { code, stderr } = await cli("make-model", "tiny", fifo);
    assert.equal(code, 1);
    assert.match(stderr, /model-pipe exists and is not a regular file \(a pipe\)/);
    assert.ok(lstatSync(fifo).isFIFO(), "the pipe is still a pipe");
    const folder = join(dir, "a-folder.gguf");
    spawnSync("mkdir", [folder]);
    assert.match((await cli("make-model", "tiny", folder)).stderr, /is not a regular file \(a folder\)/);
    assert.deepEqual(readdirSync(dir).sort(), ["a-folder.gguf", "model-pipe"], "no partial file was left");
    assert.ok(!existsSync(join(dir, "a-folder.gguf", "x")));
  });

  it("make-model into a folder that does not exist says so and how to fix it, without a stack trace", async () => {
    const { code, stderr } = await cli("make-model", "tiny", join("missingdir", "x.gguf"));
    assert.equal(code, 1);
    assert.match(stderr, /the folder \S+missingdir does not exist, so \S+x\.gguf cannot be written\.\n\s+→ Create the folder first \(mkdir -p /);
    assert.doesNotMatch(stderr, /partial|\n\s+at /);
  });

  it("run and check-proposal refuse a device, a pipe or a workspace that is a file before reading or starting anything", async () => {
    const config = await cli("run", "--workspace", dir, "--config", "/dev/zero");
    assert.equal(config.code, 1);
    assert.match(config.stderr, /Cannot read the configuration \/dev\/zero: it is not a regular file/);
    writeFileSync(join(dir, "file-not-folder"), "");
    const workspace = await cli("run", "--workspace", join(dir, "file-not-folder"));
    assert.equal(workspace.code, 1);
    assert.match(workspace.stderr, /file-not-folder is a file, not a folder/);
    spawnSync("mkfifo", [join(dir, "proposal-pipe")]);
    const proposal = await cli("check-proposal", join(dir, "proposal-pipe"));
    assert.equal(proposal.code, 1);
    assert.match(proposal.stderr, /Cannot read the proposal .*proposal-pipe: it is not a regular file/);
  });
});
