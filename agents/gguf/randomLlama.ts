// A llama-architecture model with seeded random weights and the byte-level vocabulary: real enough for
// llama.cpp to load, batch, sample and constrain with grammars (its text is noise), and for benchmarks, since
// decoding speed depends on the shapes, not on the weights' values.
import type { TensorTypeName } from "./ggufFormat";
import { FileTypeOf } from "./ggufFormat";
import { byteVocabulary } from "./byteVocab";
import { elementCount, writeGguf } from "./ggufWriter";
import type { GgufContents, GgufTensor, GgufValue } from "./ggufWriter";
import { hashString, noiseSigned } from "./seededNoise";

export interface RandomLlamaSpec {
  /** Embedding width (n_embd). */
  dim: number;
  layers: number;
  heads: number;
  /** Key/value heads (grouped-query attention when fewer than `heads`). */
  kvHeads: number;
  /** Feed-forward width (n_ff). */
  ffn: number;
  /** The context length the model says it was trained on. */
  contextLength: number;
  type: TensorTypeName;
  seed: number;
}

/** The project's test model: a few hundred KB, loads in milliseconds. */
export const TINY_SPEC: RandomLlamaSpec = { dim: 64, layers: 2, heads: 4, kvHeads: 2, ffn: 192, contextLength: 4096, type: "f32", seed: 1 };

/** The benchmark model of issue 3: about 85M parameters (768 wide, 12 layers, F32). */
export const BENCH_SPEC: RandomLlamaSpec = { dim: 768, layers: 12, heads: 12, kvHeads: 12, ffn: 2048, contextLength: 2048, type: "f32", seed: 1 };

export function describeSpec(spec: RandomLlamaSpec): string {
  return `random-llama-d${spec.dim}-l${spec.layers}-h${spec.heads}-kv${spec.kvHeads}-ff${spec.ffn}-${spec.type}-s${spec.seed}`;
}

/**
 * Whether a model is one of the random-weight llamas this project writes (make-model, the "tiny" model), told by
 * the `general.name` it writes into the GGUF (describeSpec): such a model's output is noise, however it was named.
 */
export function isRandomWeightModel(generalName: string | undefined): boolean {
  return generalName?.startsWith("random-llama-") === true;
}

export function randomLlamaContents(spec: RandomLlamaSpec): GgufContents {
  if (spec.dim % spec.heads !== 0) throw new RangeError(`dim ${spec.dim} is not a multiple of heads ${spec.heads}`);
  if (spec.heads % spec.kvHeads !== 0) throw new RangeError(`heads ${spec.heads} is not a multiple of kvHeads ${spec.kvHeads}`);
  const vocab = byteVocabulary();
  const headDim = spec.dim / spec.heads;
  const kvDim = headDim * spec.kvHeads;
  const nVocab = vocab.tokens.length;

  const metadata: Array<[string, GgufValue]> = [
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: describeSpec(spec) }],
    ["general.file_type", { type: "u32", value: FileTypeOf[spec.type] }],
    ["llama.context_length", { type: "u32", value: spec.contextLength }],
    ["llama.embedding_length", { type: "u32", value: spec.dim }],
    ["llama.block_count", { type: "u32", value: spec.layers }],
    ["llama.feed_forward_length", { type: "u32", value: spec.ffn }],
    ["llama.attention.head_count", { type: "u32", value: spec.heads }],
    ["llama.attention.head_count_kv", { type: "u32", value: spec.kvHeads }],
    ["llama.attention.layer_norm_rms_epsilon", { type: "f32", value: 1e-5 }],
    ["llama.rope.dimension_count", { type: "u32", value: headDim }],
    ["llama.rope.freq_base", { type: "f32", value: 10000 }],
    ["llama.vocab_size", { type: "u32", value: nVocab }],
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "string[]", value: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: "f32[]", value: vocab.scores }],
    ["tokenizer.ggml.token_type", { type: "i32[]", value: vocab.kinds }],
    ["tokenizer.ggml.unknown_token_id", { type: "u32", value: vocab.unk }],
    ["tokenizer.ggml.bos_token_id", { type: "u32", value: vocab.bos }],
    ["tokenizer.ggml.eos_token_id", { type: "u32", value: vocab.eos }],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
    ["tokenizer.ggml.add_space_prefix", { type: "bool", value: false }],
  ];

  const weight = (name: string, dims: number[], scale: number): GgufTensor => {
    const seed = (hashString(name) ^ Math.imul(spec.seed, 0x27d4eb2f)) >>> 0;
    return {
      name,
      dims,
      type: spec.type,
      fill(out, start) {
        for (let i = 0; i < out.length; i++) out[i] = scale * noiseSigned(seed, start + i);
      },
    };
  };
  // RMS-norm gains start at one, as in a freshly initialised model. ggml keeps 1-D norms in F32 in every
  // llama GGUF, whatever the file type.
  const ones = (name: string, n: number): GgufTensor => ({ name, dims: [n], type: "f32", fill: (out) => out.fill(1) });

  const tensors: GgufTensor[] = [weight("token_embd.weight", [spec.dim, nVocab], 1)];
  for (let l = 0; l < spec.layers; l++) {
    const p = `blk.${l}`;
    tensors.push(
      ones(`${p}.attn_norm.weight`, spec.dim),
      weight(`${p}.attn_q.weight`, [spec.dim, spec.dim], 1 / Math.sqrt(spec.dim)),
      weight(`${p}.attn_k.weight`, [spec.dim, kvDim], 1 / Math.sqrt(spec.dim)),
      weight(`${p}.attn_v.weight`, [spec.dim, kvDim], 1 / Math.sqrt(spec.dim)),
      weight(`${p}.attn_output.weight`, [spec.dim, spec.dim], 1 / Math.sqrt(spec.dim)),
      ones(`${p}.ffn_norm.weight`, spec.dim),
      weight(`${p}.ffn_gate.weight`, [spec.dim, spec.ffn], 1 / Math.sqrt(spec.dim)),
      weight(`${p}.ffn_up.weight`, [spec.dim, spec.ffn], 1 / Math.sqrt(spec.dim)),
      weight(`${p}.ffn_down.weight`, [spec.ffn, spec.dim], 1 / Math.sqrt(spec.ffn)),
    );
  }
  tensors.push(ones("output_norm.weight", spec.dim), weight("output.weight", [spec.dim, nVocab], 1 / Math.sqrt(spec.dim)));
  return { metadata, tensors };
}

export function parameterCount(contents: GgufContents): number {
  return contents.tensors.reduce((sum, t) => sum + elementCount(t.dims), 0);
}

export async function writeRandomLlama(path: string, spec: RandomLlamaSpec): Promise<{ parameters: number }> {
  const contents = randomLlamaContents(spec);
  await writeGguf(path, contents);
  return { parameters: parameterCount(contents) };
}
