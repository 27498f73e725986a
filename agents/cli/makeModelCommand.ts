// `culture-lab make-model`: writes a random-weight llama GGUF (the project's tiny test model, or stated larger
// shapes for benchmarks) deterministically from a seed, since real weights cannot be downloaded everywhere.
import { existsSync, type Stats } from "node:fs";
import { lstat, statfs } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { modelBytes } from "../gguf/ggufWriter";
import { BENCH_SPEC, TINY_SPEC, describeSpec, randomLlamaContents, writeRandomLlama } from "../gguf/randomLlama";
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
  --seed N       weights seed; the same seed writes the same bytes
  --force        replace OUT.gguf if it exists (without it an existing file is refused)

Sizes that would make a file over 16 GB, or larger than the free space, are refused before anything is
written, and OUT.gguf is only ever created or replaced as a regular file (never a device, pipe or folder).`;

export const makeModelCommand: CliCommand = {
  name: "make-model",
  summary: "write a random-weight GGUF model (tiny test model, or stated sizes for benchmarks)",
  help,
  async run(args, io) {
    const spec = parseSpec(args);
    const out = resolve(io.cwd, spec.out);
    await checkRoomFor(out, spec.spec);
    if (!spec.force && existsSync(out)) {
      throw new CultureLabError("file-exists", `${out} already exists; make-model does not overwrite a file unasked.`, "Pass --force to replace it, or choose another path.");
    }
    const { parameters } = await writeRandomLlama(out, spec.spec);
    io.out(`wrote ${out}: ${describeSpec(spec.spec)}, ${parameters.toLocaleString("en-US")} parameters`);
    return 0;
  },
};

function parseSpec(args: string[]): { spec: RandomLlamaSpec; out: string; force: boolean } {
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
      force: { type: "boolean", default: false },
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
  return { spec, out, force: v.force === true };
}

/** Per-option ceilings: far above any benchmark here, low enough that the sizes multiply to a file that exists. */
const MAX: Record<string, number> = { "--dim": 16_384, "--layers": 512, "--heads": 1024, "--kv-heads": 1024, "--ffn": 131_072, "--context": 1 << 24, "--seed": 0xffff_ffff };
/** Largest model file make-model writes (the bench preset is about 340 MB). */
export const MAX_MODEL_BYTES = 16 * 1024 ** 3;

/** Refuses, before a byte is written, an output that is not a plain file or a model that cannot fit. */
async function checkRoomFor(out: string, spec: RandomLlamaSpec): Promise<void> {
  const folder = await lstat(dirname(out)).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new CultureLabError("bad-argument", `the folder ${dirname(out)} ${folder ? "is not a folder" : "does not exist"}, so ${out} cannot be written.`, `Create the folder first (mkdir -p ${dirname(out)}) or choose another output path.`);
  }
  const existing = await lstat(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (existing && !existing.isFile()) {
    throw new CultureLabError("bad-argument", `${out} exists and is not a regular file (${kindOf(existing)}); make-model replaces only files.`, "Choose another output path.");
  }
  const bytes = modelBytes(randomLlamaContents(spec));
  const gb = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (!Number.isSafeInteger(bytes) || bytes > MAX_MODEL_BYTES) {
    throw new CultureLabError("bad-argument", `these sizes make a ${Number.isFinite(bytes) ? gb(bytes) : "huge"} file; make-model writes at most ${gb(MAX_MODEL_BYTES)}.`, "Choose smaller --dim, --layers or --ffn.");
  }
  const room = await statfs(dirname(out)).catch(() => undefined);
  if (room && bytes > room.bavail * room.bsize) {
    throw new CultureLabError("bad-argument", `the model needs ${gb(bytes)} and ${dirname(out)} has ${gb(room.bavail * room.bsize)} free.`, "Free some space, choose smaller sizes, or write it elsewhere.");
  }
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return "a folder";
  if (info.isSymbolicLink()) return "a symbolic link";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isFIFO()) return "a pipe";
  if (info.isSocket()) return "a socket";
  return "not a file";
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
  const max = MAX[flag];
  if (max !== undefined && Number(text) > max) throw new CultureLabError("bad-argument", `${flag} ${text} is too large; the most make-model takes is ${max}.`);
  return Number(text);
}
