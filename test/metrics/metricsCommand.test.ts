// `culture-lab metrics FILE`: real JSONL files in a temp folder, driven through the real CLI entry.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../agents/cli/main";
import { METRIC_KEYS } from "../../workspace-kb/metrics/computeMetrics";
import { captureIO } from "../helpers/captureIO";

const A = ["the cat sat on the mat", "the cat sat on the hat", "a dog ran in the park", "the cat sat on the mat"];

describe("culture-lab metrics", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "culture-metrics-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: string | Uint8Array): string {
    writeFileSync(join(dir, name), content);
    return name;
  }

  async function metrics(...args: string[]) {
    const io = captureIO(dir);
    const code = await runCli(["metrics", ...args], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }

  it("prints one JSON object keyed exactly by the METRICS.md keys, with unrounded golden values", async () => {
    const name = file("a.jsonl", `${JSON.stringify(A[0])}\n{"text": ${JSON.stringify(A[1])}}\n${JSON.stringify(A[2])}\n{"text": ${JSON.stringify(A[3])}, "id": 4}\n`);
    const { code, stdout } = await metrics(name, "--json");
    assert.equal(code, 0);
    const values = JSON.parse(stdout) as Record<string, number | null>;
    assert.deepEqual(Object.keys(values), [...METRIC_KEYS]);
    assert.equal(values.distinct_1, 11 / 24);
    assert.equal(values.compression_ratio, 90 / 66);
    assert.ok(Math.abs(values.self_bleu_4! - 0.700165) < 1e-6);
    assert.equal(values.vendi_embedding, null, "no embeddings: null, not a made-up number");
  });

  it("prints a readable table that says how each metric was computed", async () => {
    const name = file("a.jsonl", A.map((d) => JSON.stringify(d)).join("\n"));
    const { code, stdout } = await metrics(name);
    assert.equal(code, 0);
    assert.match(stdout, /^4 documents/);
    assert.match(stdout, /self_bleu_4\s+0\.700165\s+exact \(linear form\)/);
    assert.match(stdout, /vendi_embedding\s+n\/a\s+needs embeddings/);
  });

  it("computes only the metrics asked for, on the last N documents with --window", async () => {
    const name = file("a.jsonl", ["one two three four", "five six seven eight", ...A].map((d) => JSON.stringify(d)).join("\n"));
    const { code, stdout } = await metrics(name, "--json", "--metrics", "self_bleu_4,distinct_1", "--window", "4");
    assert.equal(code, 0);
    const values = JSON.parse(stdout);
    assert.deepEqual(Object.keys(values), ["distinct_1", "self_bleu_4"]);
    assert.equal(values.distinct_1, 11 / 24);
  });

  it("gives defined values for one document and for empty documents", async () => {
    const one = await metrics(file("one.jsonl", '"just one document here"\n'), "--json");
    assert.equal(one.code, 0);
    const values = JSON.parse(one.stdout);
    assert.equal(values.self_bleu_4, null);
    assert.equal(values.homogenization_rougel, null);
    assert.equal(values.distinct_1, 1);
    const empties = await metrics(file("empty-docs.jsonl", '""\n""\n"a b c"\n'), "--json");
    assert.equal(empties.code, 0);
    const e = JSON.parse(empties.stdout);
    assert.equal(e.self_bleu_4, 0, "an empty hypothesis has BLEU 0, as in NLTK");
    assert.equal(e.near_duplicate_rate, 0);
  });

  it("refuses an empty corpus with a clear message", async () => {
    const { code, stderr } = await metrics(file("empty.jsonl", "\n\n"));
    assert.equal(code, 1);
    assert.match(stderr, /empty\.jsonl has no documents/);
  });

  it("names the line that is not JSON, or not a document", async () => {
    const notJson = await metrics(file("bad.jsonl", '"fine"\n{oops\n'));
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /bad\.jsonl, line 2 is not JSON/);
    assert.match(notJson.stderr, /"text" string field/);
    const wrongShape = await metrics(file("shape.jsonl", '"fine"\n{"body": "x"}\n'));
    assert.equal(wrongShape.code, 1);
    assert.match(wrongShape.stderr, /line 2 is JSON but neither a string nor an object/);
  });

  it("names the line whose bytes are not UTF-8", async () => {
    const bytes = Buffer.concat([Buffer.from('"ok"\n"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]);
    const { code, stderr } = await metrics(file("latin.jsonl", bytes));
    assert.equal(code, 1);
    assert.match(stderr, /latin\.jsonl, line 2: the bytes are not valid UTF-8/);
  });

  it("reports a missing file, a missing FILE argument and bad options without a stack trace", async () => {
    const missing = await metrics("nope.jsonl");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.jsonl does not exist/);
    assert.equal((await metrics()).code, 2);
    const badMetric = await metrics(file("a.jsonl", '"x"'), "--metrics", "distinct_9");
    assert.equal(badMetric.code, 2);
    assert.match(badMetric.stderr, /unknown metric 'distinct_9'/);
    assert.equal((await metrics("a.jsonl", "--window", "0")).code, 2);
    assert.equal((await metrics("a.jsonl", "--frobnicate")).code, 2);
    for (const r of [missing, badMetric]) assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it("documents its defined values and errors in --help", async () => {
    const io = captureIO(dir);
    assert.equal(await runCli(["metrics", "--help"], io), 0);
    assert.match(io.stdout(), /null in --json and "n\/a" in the table/);
    assert.match(io.stdout(), /not UTF-8/);
  });

  it("runs as a real process from the binary entry, printing JSON on stdout", () => {
    const name = file("a.jsonl", A.map((d) => JSON.stringify(d)).join("\n"));
    const args = ["--import", "tsx", "agents/cli/bin.ts", "metrics", join(dir, name), "--json", "--metrics", "distinct_2"];
    const result = spawnSync(process.execPath, args, { cwd: process.cwd(), encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { distinct_2: 11 / 20 });
  });
});
