// `npm run bench:record`: a run's calls.jsonl read again as the run grows, as the session does to rewrite its
// report after every generation and the live panel does for its per-agent rows. Side by side, at each size: a
// whole read (the file parsed from the start, as readRun did) and readCalls (only the lines appended since its last
// read). Synthetic calls: 12 per generation, 2,000-character prompts, 300-character outputs; sizes as arguments
// (`npm run bench:record -- 500 1000`), 2,000 generations by default.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCalls } from "../../agents/loop/recordedCalls";

const CALLS_PER_GENERATION = 12;
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const checkpoints = new Set(sizes.length > 0 ? sizes : [250, 500, 1_000, 2_000]);
const last = Math.max(...checkpoints);
/** Reads both ways after every this many generations; their sums stand for a read after every generation. */
const EVERY = 10;

const dir = mkdtempSync(join(tmpdir(), "cl-bench-record-"));
const path = join(dir, "calls.jsonl");
let seq = 0;
const appendGeneration = (generation: number) => {
  const lines: string[] = [];
  for (let c = 0; c < CALLS_PER_GENERATION; c++) {
    lines.push(JSON.stringify({
      seq: seq++, agentSeq: 0, generation, agentId: `agent-${c % 4}`, role: "solver", prompt: `${generation} ${"p".repeat(2_000)}`,
      sampling: { temperature: 0.7, seed: c }, output: "o".repeat(300), outcome: "ok", promptTokens: 500, completionTokens: 80, ms: 900,
    }));
  }
  appendFileSync(path, `${lines.join("\n")}\n`);
};
const time = <T>(f: () => T): [T, number] => {
  const start = performance.now();
  return [f(), performance.now() - start];
};

console.log(`calls.jsonl read after every ${EVERY}th generation, ${CALLS_PER_GENERATION} calls a generation (node ${process.version})`);
console.log(`| generations | file | one whole read | one appended-only read (its last ${EVERY} generations) | all reads so far, whole | all reads so far, appended-only | ratio |`);
console.log("|---:|---:|---:|---:|---:|---:|---:|");
let wholeSum = 0;
let appendedSum = 0;
try {
  for (let generation = 1; generation <= last; generation++) {
    appendGeneration(generation);
    if (generation % EVERY !== 0 && !checkpoints.has(generation)) continue;
    const [whole, wholeMs] = time(() => readFileSync(path, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as unknown));
    const [appended, appendedMs] = time(() => readCalls(path).calls);
    if (whole.length !== appended.length) throw new Error(`the two reads differ: ${whole.length} vs ${appended.length} calls`);
    wholeSum += wholeMs;
    appendedSum += appendedMs;
    if (!checkpoints.has(generation)) continue;
    const mb = (statSync(path).size / 1e6).toFixed(1);
    console.log(`| ${generation} | ${mb} MB | ${wholeMs.toFixed(0)} ms | ${appendedMs.toFixed(1)} ms | ${(wholeSum / 1000).toFixed(1)} s | ${(appendedSum / 1000).toFixed(2)} s | ${(wholeSum / appendedSum).toFixed(0)}× |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
