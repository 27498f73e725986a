// `npm run bench:metrics`: time and memory of every culture metric and of the whole panel on seeded Zipfian
// corpora of 1k/10k/100k documents (~80 words), the panel window's update after a round of 50 documents, and
// the fast forms side by side with their O(n²) oracles (self-BLEU at 2k docs, near-duplicates at 2k docs,
// sampled ROUGE-L at 500 docs). CPU time is printed next to wall time: other work shares this machine.
import { availableParallelism, loadavg } from "node:os";
import { runInNewContext } from "node:vm";
import v8 from "node:v8";
import { compressionRatio } from "../../workspace-kb/metrics/compressionRatio";
import { computeMetrics, METRIC_KEYS, metricForms, type MetricKey } from "../../workspace-kb/metrics/computeMetrics";
import { distinctN } from "../../workspace-kb/metrics/distinctN";
import { homogenizationRougeL } from "../../workspace-kb/metrics/homogenizationRougeL";
import { meanPairwiseCosineDistance } from "../../workspace-kb/metrics/meanPairwiseCosineDistance";
import { MetricsWindow } from "../../workspace-kb/metrics/metricsWindow";
import { nearDuplicateRate, nearDuplicateRateAllPairs } from "../../workspace-kb/metrics/nearDuplicateRate";
import { ngramDiversityScore } from "../../workspace-kb/metrics/ngramDiversityScore";
import { PreparedCorpus } from "../../workspace-kb/metrics/preparedCorpus";
import { seededRandom } from "../../workspace-kb/random";
import { selfBleu, selfBleuPerDocument } from "../../workspace-kb/metrics/selfBleu";
import { selfBleuNaivePerDocument } from "../../workspace-kb/metrics/selfBleuNaive";
import { selfRepetition } from "../../workspace-kb/metrics/selfRepetition";
import { exactMatchClusters, semanticEntropyDiscrete } from "../../workspace-kb/metrics/semanticEntropy";
import { zipfCorpus } from "../metrics/syntheticCorpus";

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

interface Measured<T> {
  value: T;
  wallMs: number;
  cpuMs: number;
  memMb: number;
}

/** `settle` runs a full GC first so the memory figure is the step's own; the panel's rounds run without it, as in use. */
function measure<T>(work: () => T, settle = true): Measured<T> {
  if (settle) gc();
  const before = process.memoryUsage();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = work();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const after = process.memoryUsage();
  const memMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, memMb };
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
const row = (label: string, m: Measured<unknown>, extra = "") =>
  console.log(`  ${label.padEnd(34)} ${ms(m.wallMs).padStart(10)} ${ms(m.cpuMs).padStart(10)} ${`${m.memMb.toFixed(1)} MB`.padStart(10)}  ${extra}`);

/** A realistic corpus: Zipfian words in sentences, and 3% of documents near-copies of an earlier one. */
function benchCorpus(docs: number, seed: number): string[] {
  const base = zipfCorpus({ docs, seed, sentences: true });
  const random = seededRandom(seed + 1000);
  return base.map((doc, i) => {
    if (i === 0 || random.next() >= 0.03) return doc;
    const words = base[random.below(i)]!.split(" ");
    words[random.below(words.length)] = "edited";
    return words.join(" ");
  });
}

const perMetric: [string, (p: PreparedCorpus) => unknown][] = [
  ["distinct_1..4", (p) => [1, 2, 3, 4].map((n) => distinctN(p, n))],
  ["ngram_diversity_score", (p) => ngramDiversityScore(p)],
  ["compression_ratio", (p) => compressionRatio(p)],
  ["self_repetition", (p) => selfRepetition(p)],
  ["self_bleu_3 + self_bleu_4", (p) => [selfBleu(p, 3), selfBleu(p, 4)]],
  ["homogenization_rougel", (p) => homogenizationRougeL(p)],
  ["mean_pairwise_cosine_distance", (p) => meanPairwiseCosineDistance(p)],
  ["near_duplicate_rate", (p) => nearDuplicateRate(p)],
  ["semantic_entropy_discrete", (p) => semanticEntropyDiscrete(exactMatchClusters(p))],
];

console.log("Culture metrics benchmark (wall time, CPU time, heap+buffers growth over the step)");
console.log(`Load average at start: ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${availableParallelism()} cores — wall time stretches when others run.\n`);
const sizes = [1_000, 10_000, 100_000];
const panelTimes: Record<number, number> = {};
for (const size of sizes) {
  const corpus = benchCorpus(size, 7);
  const forms = metricForms(size);
  console.log(`${size} documents, ${corpus.reduce((s, d) => s + d.length, 0) / 2 ** 20 | 0} MB of text`);
  console.log(`  ${"step".padEnd(34)} ${"wall".padStart(10)} ${"cpu".padStart(10)} ${"memory".padStart(10)}  form`);
  const prepared = new PreparedCorpus(corpus);
  row("tokenize + n-gram ids (shared)", measure(() => prepared.order(4)));
  for (const [label, work] of perMetric) {
    const key = label.split(/[ .]/)[0] as MetricKey;
    row(label, measure(() => work(prepared)), forms[key] ?? "exact");
  }
  // The unigram and the 1–4-gram kernels are built together (they share the unigram postings).
  row("vendi_q1/q2/qinf + vendi_ngram", measure(() => computeMetrics(corpus, { metrics: ["vendi_q1", "vendi_q2", "vendi_qinf", "vendi_ngram"] })), forms.vendi_ngram);
  gc();
  const panel = measure(() => computeMetrics([...corpus]));
  panelTimes[size] = panel.wallMs;
  row("ALL METRICS, whole corpus, cold", panel, `computeMetrics, all ${METRIC_KEYS.length} keys from raw text`);
  console.log();
}

console.log("The panel: MetricsWindow over the last 500 documents (Vendi on the last 200, ROUGE-L on 1,000 sampled pairs)");
let panelCold = Number.NaN;
{
  const stream = benchCorpus(100_000 + 20 * 50, 11);
  const window = new MetricsWindow();
  const cold = measure(() => window.add(stream.slice(0, 100_000)));
  panelCold = cold.wallMs;
  row("cold start on a 100k-document history", cold, "all 18 keys");
  const rounds: Measured<unknown>[] = [];
  for (let r = 0; r < 20; r++) rounds.push(measure(() => window.add(stream.slice(100_000 + r * 50, 100_000 + (r + 1) * 50)), false));
  const wall = rounds.map((m) => m.wallMs).sort((a, b) => a - b);
  const cpu = rounds.map((m) => m.cpuMs).sort((a, b) => a - b);
  console.log(`  update after a round of 50 (20 rounds): median ${ms(wall[10]!)} wall / ${ms(cpu[10]!)} cpu, max ${ms(wall[19]!)} wall / ${ms(cpu[19]!)} cpu`);
  console.log(`  target < 100 ms: ${wall[10]! < 100 ? "met" : "NOT met"} on median wall time, ${cpu[10]! < 100 ? "met" : "NOT met"} on median CPU time (wall stretches with the load average)`);
}
console.log();

console.log("Exact self-BLEU: linear form vs the straightforward O(n²) NLTK-style form, 2,000 documents");
{
  const corpus = benchCorpus(2_000, 13);
  for (const g of [4]) {
    const fast = measure(() => selfBleuPerDocument(corpus, g));
    const slow = measure(() => selfBleuNaivePerDocument(corpus, g));
    let maxDiff = 0;
    slow.value.forEach((s, d) => (maxDiff = Math.max(maxDiff, Math.abs(s - fast.value[d]!))));
    row(`self_bleu_${g} linear`, fast);
    row(`self_bleu_${g} O(n²)`, slow);
    console.log(`  speed-up ${(slow.wallMs / fast.wallMs).toFixed(0)}× wall, ${(slow.cpuMs / fast.cpuMs).toFixed(0)}× cpu (target ≥ 100×); max per-document difference ${maxDiff.toExponential(2)} (must be ≤ 1e-9: ${maxDiff <= 1e-9 ? "ok" : "FAILED"})`);
  }
}
console.log();

console.log("Near-duplicate rate: prefix-filtered exact form vs all pairs, 2,000 documents");
{
  const corpus = benchCorpus(2_000, 17);
  const fast = measure(() => nearDuplicateRate(corpus));
  const slow = measure(() => nearDuplicateRateAllPairs(corpus));
  row("prefix-filtered (panel form)", fast, `rate ${fast.value.toFixed(4)}`);
  row("all pairs O(n²)", slow, `rate ${slow.value.toFixed(4)}`);
  const diff = Math.abs(fast.value - slow.value);
  console.log(`  agreement |Δ| = ${diff.toFixed(4)} (must be ≤ 0.02: ${diff <= 0.02 ? "ok" : "FAILED"})`);
}
console.log();

console.log("ROUGE-L homogenization: 20,000 sampled pairs vs all pairs, 500 documents");
{
  const corpus = benchCorpus(500, 19);
  const sampled = measure(() => homogenizationRougeL(corpus, { maxPairs: 20_000 }));
  const exact = measure(() => homogenizationRougeL(corpus, { maxPairs: Number.POSITIVE_INFINITY }));
  row("sampled (panel form above 20k pairs)", sampled, `${sampled.value.toFixed(5)}`);
  row("all 124,750 pairs", exact, `${exact.value.toFixed(5)}`);
  console.log(`  |Δ| = ${Math.abs(sampled.value - exact.value).toFixed(5)}`);
}
console.log();
console.log(`Panel (window) cold on a 100k-document history: ${(panelCold / 1000).toFixed(1)} s wall — target < 10 s: ${panelCold < 10_000 ? "met" : "NOT met"}`);
console.log(`All metrics over the whole 100k corpus, exact forms: ${(panelTimes[100_000]! / 1000).toFixed(1)} s wall — ${panelTimes[100_000]! < 10_000 ? "under" : "OVER"} 10 s`);
console.log(`Load average at end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
console.log(`Peak resident memory of this run: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
