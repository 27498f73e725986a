// `culture-lab metrics FILE`: the culture metrics of workspace-kb/metrics/METRICS.md over a JSONL corpus, as a table or as one JSON
// object keyed exactly by the METRICS.md keys.
import { resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { computeMetrics, isMetricKey, METRIC_KEYS, metricForms, type MetricKey } from "../../workspace-kb/metrics/computeMetrics";
import { readCorpusFile } from "../../workspace-kb/metrics/corpusFile";
import { parseCommandArgs, usageError, type CliCommand } from "./command";

const help = `Usage: culture-lab metrics FILE [--json] [--metrics a,b,...] [--window N]

FILE is JSONL: one document a line, either a JSON string or an object with a "text" string field.
Blank lines are skipped; "" is an empty document (no tokens).

Options:
  --json            print one JSON object keyed by the metric keys below, values unrounded
  --metrics a,b,…   only these metrics (default: all)
  --window N        measure the last N documents only (the panel compares fixed-size windows)

Metrics: ${METRIC_KEYS.join(", ")}.
Definitions, references and golden vectors: workspace-kb/metrics/METRICS.md in the project. Tokens are whitespace-separated; self-BLEU is exact; vendi_q1/q2/qinf use the
unigram cosine kernel and vendi_ngram the 1–4-gram one, both over the last 500 documents when there are
more; homogenization_rougel averages a seeded sample of 20000 pairs when there are more;
semantic_entropy_discrete clusters identical documents (case and spacing ignored); vendi_embedding needs
embeddings, which this command does not compute (it has no model), so it is always n/a here.

Defined values: a metric with nothing to measure is null in --json and "n/a" in the table — one document
(self-BLEU, ROUGE-L, pairwise distance), no n-gram of an order (distinct_n), under 4 tokens in all
(ngram_diversity_score), all documents empty (compression_ratio). Documents too short for an n-gram order
(empty ones for every order) count as one shared "no n-gram" item in the Vendi kernels and the pairwise
distance, so all-empty corpora have Vendi 1. A document under 3 words is never a near-duplicate.
On bad input (exit 1, with the line number): no such file, no documents, bytes that are not UTF-8, a line that is
not JSON or not a string/{"text"} object, a document over 1 MB. FILE must be a regular file of at most 256 MB
(not a device or a pipe); it is measured before it is read. Bad options exit 2.`;

export const metricsCommand: CliCommand = {
  name: "metrics",
  summary: "diversity and collapse metrics of a JSONL corpus (definitions: workspace-kb/metrics/METRICS.md)",
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs("metrics", {
      args,
      allowPositionals: true,
      options: { json: { type: "boolean" }, metrics: { type: "string" }, window: { type: "string" } },
    });
    const usage = (message: string): never => {
      throw usageError("metrics", message);
    };
    if (positionals.length !== 1) return usage(positionals.length === 0 ? "FILE is missing." : `one FILE expected, got ${positionals.length}.`);
    let keys: MetricKey[] = [...METRIC_KEYS];
    if (values.metrics !== undefined) {
      const asked = values.metrics.split(",").map((k) => k.trim()).filter(Boolean);
      const unknown = asked.filter((k) => !isMetricKey(k));
      if (unknown.length > 0 || asked.length === 0) return usage(`unknown metric ${unknown.map((k) => `'${k}'`).join(", ") || "list ''"}; known: ${METRIC_KEYS.join(", ")}.`);
      keys = METRIC_KEYS.filter((k) => asked.includes(k));
    }
    let window: number | undefined;
    if (values.window !== undefined) {
      window = Number(values.window);
      if (!Number.isInteger(window) || window < 1) return usage(`--window needs a whole number of documents ≥ 1, got '${values.window}'.`);
    }

    const file = resolve(io.cwd, positionals[0]!);
    const all = await readCorpusFile(file);
    if (all.length === 0) throw new CultureLabError("corpus-empty", `${positionals[0]} has no documents.`, "Add one JSON string or {\"text\": …} object per line.");
    const corpus = window !== undefined && window < all.length ? all.slice(-window) : all;

    const result = computeMetrics(corpus, { metrics: keys });
    if (values.json) {
      // JSON has no NaN: an undefined metric is null.
      io.out(JSON.stringify(result));
      return 0;
    }
    const forms = metricForms(corpus.length);
    const width = Math.max(...keys.map((k) => k.length));
    const rows = keys.map((k) => {
      const value = result[k];
      const shown = Number.isNaN(value) ? "n/a" : value.toFixed(6);
      return `  ${k.padEnd(width)}  ${shown.padStart(12)}  ${forms[k]}`;
    });
    io.out([`${corpus.length} documents${corpus.length < all.length ? ` (the last ${corpus.length} of ${all.length})` : ""}`, ...rows].join("\n"));
    return 0;
  },
};
