// `culture-lab collapse FILE`: the collapse detector of the culture loop over anyone's multi-generation corpus —
// per generation, the metrics of an equal-size sample of its documents, the alarm, "converging", and why.
import { resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { judgeStream } from "../../workspace-kb/metrics/collapseStream";
import { readGenerationFile } from "../../workspace-kb/metrics/generationFile";
import { parseCommandArgs, usageError, type CliCommand } from "./command";

const help = `Usage: culture-lab collapse FILE [--json] [--sample N] [--seed N]

FILE is JSONL, one document a line: {"generation": 0, "text": "…"} (generation a whole number ≥ 0; the
lines of a generation need not be adjacent). Blank lines are skipped.

Each generation is measured alone, on a sample of exactly N of its documents (a seeded uniform choice when
it has more; a generation with fewer is "not measured"), so every generation is compared like with like:
  distinct_2           lexical repetition (workspace-kb/metrics/METRICS.md)
  vendi_ngram          kernel diversity: the effective number of distinct documents
  near_duplicate_rate  copying: share of documents with a near-copy (word 3-shingle Jaccard ≥ 0.8)
Each series is compared with its best value since the first measured generation. The ALARM (collapse) is
raised when at least 2 of the 3 fell past their collapse threshold (distinct_2 −35%, vendi_ngram −35%,
near_duplicate_rate +0.5) and stays raised while it lasts; CONVERGING shows after 3 measured generations
in a row with a smaller fall (−15%, −10%, +0.25) and no alarm. Error rates: README, "Collapse alarm".

Options:
  --json       print one JSON document: {"sampleSize": N, "generations": [{"generation", "documents",
               "sampled", "metrics", "alarm", "converging", "reasons"}, …]}
  --sample N   documents measured per generation (default: the smallest generation's count; at least 2)
  --seed N     seed of the sampling (default 1)

On bad input (exit 1, with the line number): no such file, no documents, a line that is not JSON, not an object,
without a whole-number "generation" or a "text" string, bytes that are not UTF-8. Bad options exit 2.`;

export const collapseCommand: CliCommand = {
  name: "collapse",
  summary: "the collapse alarm over a multi-generation JSONL corpus, per generation with its reasons",
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs("collapse", {
      args,
      allowPositionals: true,
      options: { json: { type: "boolean" }, sample: { type: "string" }, seed: { type: "string" } },
    });
    const usage = (message: string): never => {
      throw usageError("collapse", message);
    };
    if (positionals.length !== 1) return usage(positionals.length === 0 ? "FILE is missing." : `one FILE expected, got ${positionals.length}.`);
    const whole = (name: string, raw: string | undefined, min: number): number | undefined => {
      if (raw === undefined) return undefined;
      const n = Number(raw);
      return Number.isSafeInteger(n) && n >= min ? n : usage(`--${name} needs a whole number ≥ ${min}, got '${raw}'.`);
    };
    const sampleSize = whole("sample", values.sample, 2);
    const seed = whole("seed", values.seed, 0);

    const byGeneration = await readGenerationFile(resolve(io.cwd, positionals[0]!));
    if (byGeneration.size === 0) throw new CultureLabError("corpus-empty", `${positionals[0]} has no documents.`, 'Add one {"generation": g, "text": "…"} object per line.');
    const judged = judgeStream(byGeneration, { sampleSize, seed });
    if (judged.sampleSize < 2) {
      throw new CultureLabError("corpus-too-small", `${positionals[0]}: a generation has only ${judged.sampleSize} document; each generation is measured on the same number of documents, at least 2.`,
        "Pass --sample N to leave generations with fewer than N documents unmeasured, or add documents.");
    }
    if (values.json) {
      // JSON has no NaN: an undefined metric becomes null.
      io.out(JSON.stringify({ sampleSize: judged.sampleSize, generations: judged.records }));
      return 0;
    }
    const lines = [`${byGeneration.size} generations, ${judged.sampleSize} documents measured in each`, `  gen  docs  distinct_2  vendi_ngram  near_dup  state`];
    for (const r of judged.records) {
      const m = (k: "distinct_2" | "vendi_ngram" | "near_duplicate_rate") => (r.metrics[k] === undefined || Number.isNaN(r.metrics[k]) ? "n/a" : r.metrics[k]!.toFixed(3));
      const state = r.sampled === 0 ? "not measured" : r.alarm ? "ALARM" : r.converging ? "converging" : "ok";
      lines.push(`  ${String(r.generation).padStart(3)}  ${String(r.documents).padStart(4)}  ${m("distinct_2").padStart(10)}  ${m("vendi_ngram").padStart(11)}  ${m("near_duplicate_rate").padStart(8)}  ${state}`);
      for (const why of r.reasons) lines.push(`         ${why}`);
    }
    io.out(lines.join("\n"));
    return 0;
  },
};
