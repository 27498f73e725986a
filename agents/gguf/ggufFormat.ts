// The numbers of the GGUF file format (v3) this project writes and checks: magic, metadata value types, tensor
// types. Reference: ggml/include/gguf.h and ggml/include/ggml.h in the llama.cpp that node-llama-cpp ships.

/** "GGUF" read as a little-endian uint32. */
export const GGUF_MAGIC = 0x46554747;
export const GGUF_VERSION = 3;
/** Tensor data offsets are multiples of this unless `general.alignment` says otherwise. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types (enum gguf_type). */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** The tensor types this writer can produce (enum ggml_type), with bytes per element. */
export const TensorType = {
  f32: { ggml: 0, bytes: 4 },
  f16: { ggml: 1, bytes: 2 },
} as const;
export type TensorTypeName = keyof typeof TensorType;

/** `general.file_type` (enum llama_ftype) matching a whole model stored in one tensor type. */
export const FileTypeOf: Record<TensorTypeName, number> = { f32: 0, f16: 1 };

/** `tokenizer.ggml.token_type` values (enum llama_token_type). */
export const TokenKind = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
