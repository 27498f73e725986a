// `npm run bench:kb`: open time, one round of 50 notes, top-8 retrieval and file sizes at 1k / 10k / 100k notes
// of ~500 characters (seeded Zipf-distributed pseudo-words, so postings lengths resemble real text).
// Run with a size list to pick sizes: `npm run bench:kb -- 1000 10000`; `--dims 384` gives every note an
// embedding of that many dimensions and adds a cosine top-8 column.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openKnowledgeBase, openKnowledgeBaseReadOnly } from "../../workspace-kb/knowledgeBase";
import type { KnowledgeBase } from "../../workspace-kb/knowledgeBase";

const args = process.argv.slice(2);
const dimsAt = args.indexOf("--dims");
const DIMS = dimsAt === -1 ? 0 : Number(args.splice(dimsAt, 2)[1]);
const sizes = args.map(Number).filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [1_000, 10_000, 100_000];
const ROUND = 50;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
const random = rng(42);
const vocabulary = Array.from({ length: 30_000 }, () => {
  let word = "";
  const length = 3 + Math.floor(random() * 8);
  for (let j = 0; j < length; j++) word += String.fromCharCode(97 + Math.floor(random() * 26));
  return word;
});
/** Zipf-like: rank ~ u^3 puts most mass on few words, with a long tail. */
const word = () => vocabulary[Math.floor(random() ** 3 * vocabulary.length)]!;
const embedding = () => (DIMS > 0 ? { embedding: Array.from({ length: DIMS }, () => random() * 2 - 1) } : {});
function text(chars: number): string {
  let out = "";
  while (out.length < chars) out += word() + (random() < 0.08 ? ". " : " ");
  return out.trim();
}

async function fill(kb: KnowledgeBase, count: number): Promise<void> {
  const batch = 1000;
  for (let done = kb.size.entries; done < count; ) {
    const n = Math.min(batch, count - done);
    for (let i = 0; i < n; i++) {
      const index = done + i;
      const cites = index > 10 ? [`n-${Math.floor(random() * index).toString(36)}`] : [];
      kb.addEntry({ kind: "note", author: `agent-${index % 8}`, generation: Math.floor(index / 500), title: text(40), text: text(500), cites, tags: ["bench"], ...embedding() });
      // A long session records about as many attempts as notes.
      kb.recordAttempt({ problemId: "p-0", agentId: `agent-${index % 8}`, generation: Math.floor(index / 500), answer: text(40), correct: random() < 0.4, cites });
    }
    await kb.commitRound();
    done += n;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}
function bytes(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, name) => sum + bytes(join(path, name)), 0);
}
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;

const rows: string[][] = [];
const dir = mkdtempSync(join(tmpdir(), "kb-bench-"));
try {
  let kb = await openKnowledgeBase(dir);
  for (const size of SIZES) {
    const fillStart = performance.now();
    await fill(kb, size);
    const fillSeconds = (performance.now() - fillStart) / 1000;
    await kb.close();

    const opens: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const again = await openKnowledgeBase(dir);
      opens.push(performance.now() - start);
      await again.close();
    }
    const readOnlyStart = performance.now();
    const readOnly = await openKnowledgeBaseReadOnly(dir);
    const readOnlyOpen = performance.now() - readOnlyStart;

    const queries = Array.from({ length: 200 }, () => text(60));
    const latencies = queries.map((query) => {
      const start = performance.now();
      readOnly.search(query, { k: 8 });
      return performance.now() - start;
    });
    const vectorLatencies = DIMS === 0 ? [] : queries.slice(0, 30).map(() => {
      const vector = embedding().embedding!;
      const start = performance.now();
      readOnly.search({ vector }, { k: 8 });
      return performance.now() - start;
    });
    // entries() walks every entry (the loop does so each generation): the first call parses the segments.
    let start = performance.now();
    readOnly.entries({ kinds: ["note"] });
    const entriesFirst = performance.now() - start;
    start = performance.now();
    readOnly.entries({ kinds: ["note"] });
    const entriesAgain = performance.now() - start;
    const filtered = queries.slice(0, 50).map((query) => {
      const start = performance.now();
      readOnly.search(query, { k: 8, kinds: ["note"], generations: { min: 2 } });
      return performance.now() - start;
    });

    kb = await openKnowledgeBase(dir);
    const rounds: number[] = [];
    const roundParts: string[] = [];
    // 20 rounds of 50 fill one segment of 1000, so one of them seals: the max column shows that round.
    for (let r = 0; r < 20; r++) {
      for (let i = 0; i < ROUND; i++) {
        kb.addEntry({ kind: "note", author: "agent-0", generation: 999, title: text(40), text: text(500), tags: ["bench"], ...embedding() });
        kb.recordAttempt({ problemId: "p-0", agentId: "agent-0", generation: 999, answer: text(40), correct: false });
      }
      const start = performance.now();
      const receipt = await kb.commitRound();
      rounds.push(performance.now() - start);
      const t = receipt.timings;
      roundParts.push(`round ${r + 1}${receipt.sealed.length ? ` (sealed ${receipt.sealed.join(", ")})` : ""}: prepare ${t.prepare.toFixed(0)} / events ${t.events.toFixed(0)} / seal ${t.seal.toFixed(0)} / kb.json ${t.kbJson.toFixed(0)} / NOTES.md ${t.notes.toFixed(0)}`);
    }
    const paths = kb.paths;
    rows.push([
      `${kb.size.entries}`,
      ms(median(opens)),
      ms(readOnlyOpen),
      `${ms(median(rounds))} (max ${ms(Math.max(...rounds))})`,
      `${ms(median(latencies))} / p95 ${ms(percentile(latencies, 0.95))}`,
      ms(median(filtered)),
      DIMS === 0 ? "-" : ms(median(vectorLatencies)),
      `${ms(entriesFirst)} / ${ms(entriesAgain)}`,
      mb(bytes(paths.events)),
      mb(bytes(paths.kbJson)),
      mb(bytes(paths.segments)),
      mb(bytes(paths.notes)),
      mb(bytes(paths.pages)),
    ]);
    const slowest = rounds.indexOf(Math.max(...rounds));
    console.error(`${size}: filled in ${fillSeconds.toFixed(1)} s; split (ms) of the median round: ${roundParts[rounds.indexOf(median(rounds))]}; of the slowest: ${roundParts[slowest]}`);
  }
  await kb.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const header = ["notes", "open (write)", "open (read-only)", "round of 50", "top-8 BM25 median", "top-8 filtered", `top-8 cosine${DIMS ? ` (${DIMS}d)` : ""}`, "entries() first / again", "events.jsonl", "kb.json", "segments", "NOTES.md", "notes/ pages"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
console.log(`\nTargets at 100k: open < 1 s, round < 200 ms, retrieval < 10 ms. Machine: shared, timings are noisy.`);
