// `culture-lab collapse FILE`: real JSONL files in a temp folder, driven through the real CLI entry.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { captureIO } from "../helpers/captureIO";
import { collapsingStream, type Stream } from "../metrics/collapseStreams";

function jsonl(stream: Stream): string {
  return [...stream].flatMap(([generation, docs]) => docs.map((text) => JSON.stringify({ generation, text }))).join("\n") + "\n";
}

describe("culture-lab collapse", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "culture-collapse-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function collapse(content: string, ...args: string[]) {
    writeFileSync(join(dir, "gens.jsonl"), content);
    const io = captureIO(dir);
    const code = await runCli(["collapse", "gens.jsonl", ...args], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }

  it("prints one JSON document whose per-generation records say the generation and whether the alarm is up", async () => {
    const stream = collapsingStream({ generations: 10, perGeneration: 12, seed: 2, modes: 3, collapseAt: 5, ramp: 1 });
    const { code, stdout } = await collapse(jsonl(stream), "--json");
    assert.equal(code, 0);
    const result = JSON.parse(stdout) as { sampleSize: number; generations: Array<{ generation: number; alarm: boolean; converging: boolean; reasons: string[] }> };
    assert.equal(result.sampleSize, 12);
    assert.deepEqual(result.generations.map((g) => g.generation), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(result.generations.map((g) => g.alarm), [false, false, false, false, false, true, true, true, true, true]);
    assert.ok(result.generations[5]!.reasons.some((r) => /collapse threshold/.test(r)));
  });

  it("prints a table with each generation's metrics, state and reasons", async () => {
    const stream = collapsingStream({ generations: 6, perGeneration: 8, seed: 3, modes: 2, collapseAt: 4, ramp: 1 });
    const { code, stdout } = await collapse(jsonl(stream));
    assert.equal(code, 0);
    assert.match(stdout, /^6 generations, 8 documents measured in each/);
    assert.match(stdout, /\n\s+5\s+8\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+ALARM\n/);
    assert.match(stdout, /first measured generation: it is the reference/);
  });

  it("says which line is wrong, without a stack trace, for a line that is not JSON or lacks a field", async () => {
    const bad = await collapse('{"generation": 0, "text": "fine"}\nnot json\n');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /gens\.jsonl, line 2 is not JSON/);
    assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/);
    const noGeneration = await collapse('{"generation": 0, "text": "fine"}\n\n{"text": "no generation"}\n');
    assert.match(noGeneration.stderr, /line 3 has no "generation" field/);
    const badGeneration = await collapse('{"generation": -1, "text": "x"}\n');
    assert.match(badGeneration.stderr, /line 1: "generation" must be a whole number ≥ 0, got -1/);
    const noText = await collapse('{"generation": 0}\n');
    assert.match(noText.stderr, /line 1 has no "text" field/);
    const plainString = await collapse('"just a string"\n');
    assert.match(plainString.stderr, /line 1 is JSON but not an object/);
  });

  it("refuses an empty file and a generation too small to measure, and says what to do", async () => {
    const empty = await collapse("");
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /has no documents/);
    const one = await collapse('{"generation": 0, "text": "a b c"}\n{"generation": 0, "text": "d e f"}\n{"generation": 1, "text": "a b c"}\n');
    assert.equal(one.code, 1);
    assert.match(one.stderr, /only 1 document.*--sample N/s);
    const sampled = await collapse('{"generation": 0, "text": "a b c"}\n{"generation": 0, "text": "d e f"}\n{"generation": 1, "text": "a b c"}\n', "--sample", "2", "--json");
    assert.equal(sampled.code, 0);
    assert.deepEqual(JSON.parse(sampled.stdout).generations.map((g: { sampled: number }) => g.sampled), [2, 0]);
  });

  it("refuses a device instead of reading without end", async () => {
    const io = captureIO(dir);
    assert.equal(await runCli(["collapse", "/dev/zero"], io), 1);
    assert.match(io.stderr(), /\/dev\/zero is not a regular file/);
  });

  it("refuses bad options in one line, with where to find the options", async () => {
    const { code, stderr } = await collapse('{"generation": 0, "text": "x"}\n', "--sample", "1");
    assert.equal(code, 2);
    assert.match(stderr, /--sample needs a whole number ≥ 2, got '1'/);
    assert.match(stderr, /Run `culture-lab collapse --help` for the options\./);
  });
});
