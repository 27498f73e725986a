// `culture-lab make-model`: writes a random-weight llama GGUF (the project's tiny test model, or stated larger
// shapes for benchmarks) deterministically from a seed, since real weights cannot be downloaded everywhere.
import { resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { BENCH_SPEC, TINY_SPEC, describeSpec, writeRandomLlama } from "../gguf/randomLlama";
import type { RandomLlamaSpec } from "../gguf/randomLlama";
import { parseCommandArgs, usageError, type CliCommand } from "./command";

const presets: Record<string, RandomLlamaSpec> = { tiny: TINY_SPEC, bench: BENCH_SPEC };

const help = `Usage: culture-lab make-model <preset> <OUT.gguf> [options]

Writes a llama-architecture GGUF with seeded random weights and a byte-level vocabulary.
Its text is noise; it exercises the real loading, batching, grammar and accounting path.

Presets:
  tiny    ${describeSpec(TINY_SPEC)}  (a few hundred KB; the tests' model)
  bench   ${describeSpec(BENCH_SPEC)}  (about 85M parameters)

Options (override the preset):
  --dim N        embedding width; heads default to dim/64 and the feed-forward width to 8/3·dim
  --layers N     number of transformer blocks
  --heads N      attention heads (dim must be a multiple)
  --kv-heads N   key/value heads (heads must be a multiple)
  --ffn N        feed-forward width
  --context N    context length written into the metadata
  --type T       f32 or f16
  --seed N       weights seed; the same seed writes the same bytes`;

export const makeModelCommand: CliCommand = {
  name: "make-model",
  summary: "write a random-weight GGUF model (tiny test model, or stated sizes for benchmarks)",
  help,
  async run(args, io) {
    const spec = parseSpec(args);
    const out = resolve(io.cwd, spec.out);
    const { parameters } = await writeRandomLlama(out, spec.spec);
    io.out(`wrote ${out}: ${describeSpec(spec.spec)}, ${parameters.toLocaleString("en-US")} parameters`);
    return 0;
  },
};

function parseSpec(args: string[]): { spec: RandomLlamaSpec; out: string } {
  const parsed = parseCommandArgs("make-model", {
    args,
    allowPositionals: true,
    options: {
      dim: { type: "string" },
      layers: { type: "string" },
      heads: { type: "string" },
      "kv-heads": { type: "string" },
      ffn: { type: "string" },
      context: { type: "string" },
      type: { type: "string" },
      seed: { type: "string" },
    },
  });
  const [presetName, out, ...extra] = parsed.positionals;
  if (presetName === undefined || out === undefined || extra.length > 0) {
    throw usageError("make-model", "make-model takes a preset and an output path, e.g. `culture-lab make-model tiny tiny.gguf`.");
  }
  const preset = presets[presetName];
  if (!preset) {
    throw new CultureLabError("bad-argument", `unknown preset '${presetName}'.`, `Choose one of: ${Object.keys(presets).join(", ")}.`);
  }
  const v = parsed.values;
  const spec: RandomLlamaSpec = { ...preset };
  if (v.dim !== undefined) {
    spec.dim = positiveInt("--dim", v.dim);
    spec.heads = Math.max(1, Math.floor(spec.dim / 64));
    spec.kvHeads = spec.heads;
    spec.ffn = Math.round((spec.dim * 8) / 3 / 64) * 64 || 64;
  }
  if (v.layers !== undefined) spec.layers = positiveInt("--layers", v.layers);
  if (v.heads !== undefined) {
    spec.heads = positiveInt("--heads", v.heads);
    if (v["kv-heads"] === undefined) spec.kvHeads = spec.heads;
  }
  if (v["kv-heads"] !== undefined) spec.kvHeads = positiveInt("--kv-heads", v["kv-heads"]);
  if (v.ffn !== undefined) spec.ffn = positiveInt("--ffn", v.ffn);
  if (v.context !== undefined) spec.contextLength = positiveInt("--context", v.context);
  if (v.seed !== undefined) spec.seed = nonNegativeInt("--seed", v.seed);
  if (v.type !== undefined) {
    if (v.type !== "f32" && v.type !== "f16") throw new CultureLabError("bad-argument", `--type must be f32 or f16, not '${v.type}'.`);
    spec.type = v.type;
  }
  if (spec.dim % spec.heads !== 0) {
    throw new CultureLabError("bad-argument", `--dim ${spec.dim} is not a multiple of the ${spec.heads} heads.`, "Pick --heads so that it divides --dim.");
  }
  if (spec.heads % spec.kvHeads !== 0) {
    throw new CultureLabError("bad-argument", `${spec.heads} heads are not a multiple of ${spec.kvHeads} kv-heads.`, "Pick --kv-heads so that it divides --heads.");
  }
  if ((spec.dim / spec.heads) % 2 !== 0) {
    throw new CultureLabError("bad-argument", `head width ${spec.dim / spec.heads} is odd; rotary embeddings need an even width.`);
  }
  return { spec, out };
}

function positiveInt(flag: string, text: string): number {
  const n = nonNegativeInt(flag, text);
  if (n === 0) throw new CultureLabError("bad-argument", `${flag} must be at least 1.`);
  return n;
}

function nonNegativeInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new CultureLabError("bad-argument", `${flag} wants a whole number, not '${text}'.`);
  }
  return Number(text);
}
