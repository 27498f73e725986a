// Writes a GGUF v3 file: header, metadata, tensor table, then aligned tensor data streamed chunk by chunk, so a
// several-hundred-MB model never sits in memory. Written to a temporary name and renamed, so a crash mid-write
// never leaves something that looks like a finished model.
import { lstat, open, rename, rm } from "node:fs/promises";
import { CultureLabError } from "../../workspace-kb/errors";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgufValueType, TensorType } from "./ggufFormat";
import type { TensorTypeName } from "./ggufFormat";
import { toFloat16Bits } from "./float16";

export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "i32"; value: number }
  | { type: "u64"; value: number }
  | { type: "f32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "string[]"; value: readonly string[] }
  | { type: "f32[]"; value: readonly number[] }
  | { type: "i32[]"; value: readonly number[] };

export interface GgufTensor {
  name: string;
  /** ggml order: dims[0] is the fastest-varying (row length). */
  dims: readonly number[];
  type: TensorTypeName;
  /** Writes elements [start, start + out.length) of the tensor, in ggml order, into `out`. */
  fill(out: Float32Array, start: number): void;
}

export interface GgufContents {
  metadata: ReadonlyArray<readonly [key: string, value: GgufValue]>;
  tensors: readonly GgufTensor[];
}

const CHUNK_ELEMENTS = 1 << 20;

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Bytes of tensor data the file will hold (the header adds a little), without writing anything. */
export function modelBytes(contents: GgufContents): number {
  return contents.tensors.reduce((sum, t) => sum + alignUp(elementCount(t.dims) * TensorType[t.type].bytes, GGUF_DEFAULT_ALIGNMENT), 0);
}

export async function writeGguf(path: string, contents: GgufContents): Promise<void> {
  const alignment = GGUF_DEFAULT_ALIGNMENT;
  const header = new ByteSink();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(contents.tensors.length);
  header.u64(contents.metadata.length);
  for (const [key, value] of contents.metadata) {
    header.string(key);
    writeValue(header, value);
  }
  let offset = 0;
  for (const t of contents.tensors) {
    header.string(t.name);
    header.u32(t.dims.length);
    for (const d of t.dims) header.u64(d);
    header.u32(TensorType[t.type].ggml);
    header.u64(offset);
    offset = alignUp(offset + elementCount(t.dims) * TensorType[t.type].bytes, alignment);
  }
  header.pad(alignment);

  const temporary = `${path}.partial-${process.pid}`;
  const file = await open(temporary, "w");
  try {
    await file.write(header.bytes());
    for (const t of contents.tensors) {
      const total = elementCount(t.dims);
      const bytesPer = TensorType[t.type].bytes;
      const chunk = new Float32Array(Math.min(CHUNK_ELEMENTS, total));
      for (let start = 0; start < total; start += chunk.length) {
        const view = chunk.subarray(0, Math.min(chunk.length, total - start));
        t.fill(view, start);
        await file.write(encode(view, t.type));
      }
      const padding = alignUp(total * bytesPer, alignment) - total * bytesPer;
      if (padding > 0) await file.write(new Uint8Array(padding));
    }
    await file.close();
    // Renaming over a device node, a folder or a pipe would replace it: only a missing path or a file is replaced.
    const target = await lstat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (target && !target.isFile()) throw new CultureLabError("bad-argument", `${path} exists and is not a regular file; it is left as it is.`, "Choose another output path.");
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

function encode(values: Float32Array, type: TensorTypeName): Uint8Array {
  if (type === "f32") {
    // Float32Array is host-endian; GGUF is little-endian, as is every machine node-llama-cpp ships for.
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]!);
  return new Uint8Array(out.buffer);
}

function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case "u32":
      sink.u32(GgufValueType.UINT32);
      sink.u32(v.value);
      return;
    case "i32":
      sink.u32(GgufValueType.INT32);
      sink.i32(v.value);
      return;
    case "u64":
      sink.u32(GgufValueType.UINT64);
      sink.u64(v.value);
      return;
    case "f32":
      sink.u32(GgufValueType.FLOAT32);
      sink.f32(v.value);
      return;
    case "bool":
      sink.u32(GgufValueType.BOOL);
      sink.u8(v.value ? 1 : 0);
      return;
    case "string":
      sink.u32(GgufValueType.STRING);
      sink.string(v.value);
      return;
    case "string[]":
      arrayHeader(sink, GgufValueType.STRING, v.value.length);
      for (const s of v.value) sink.string(s);
      return;
    case "f32[]":
      arrayHeader(sink, GgufValueType.FLOAT32, v.value.length);
      for (const x of v.value) sink.f32(x);
      return;
    case "i32[]":
      arrayHeader(sink, GgufValueType.INT32, v.value.length);
      for (const x of v.value) sink.i32(x);
      return;
  }
}

function arrayHeader(sink: ByteSink, elementType: number, count: number): void {
  sink.u32(GgufValueType.ARRAY);
  sink.u32(elementType);
  sink.u64(count);
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** A growable little-endian byte buffer for the header. */
class ByteSink {
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private reserve(n: number): number {
    if (this.length + n > this.buffer.length) {
      const bigger = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  u8(x: number): void { this.view.setUint8(this.reserve(1), x); }
  u32(x: number): void { this.view.setUint32(this.reserve(4), x, true); }
  i32(x: number): void { this.view.setInt32(this.reserve(4), x, true); }
  u64(x: number): void { this.view.setBigUint64(this.reserve(8), BigInt(x), true); }
  f32(x: number): void { this.view.setFloat32(this.reserve(4), x, true); }
  string(s: string): void {
    const bytes = new TextEncoder().encode(s);
    this.u64(bytes.length);
    this.buffer.set(bytes, this.reserve(bytes.length));
  }
  pad(alignment: number): void { this.reserve(alignUp(this.length, alignment) - this.length); }
  bytes(): Uint8Array { return this.buffer.slice(0, this.length); }
}
