// Bench-only instrumentation: when each of llama.cpp's decodes starts and ends, by wrapping node-llama-cpp's native
// context object (its internal `_ctx`), so a bench can tell time inside the decode from time between decodes.
import type { LlamaContext } from "node-llama-cpp";

/** An `onContextCreated` hook for openRuntime that reports every decode of the context to `onDecode`. */
export function timeDecodes(onDecode: (start: number, end: number) => void): (context: LlamaContext) => void {
  return (context) => {
    const holder = context as unknown as { _ctx: Record<string, unknown> };
    const native = holder._ctx;
    const decode = (native.decodeBatch as () => Promise<void>).bind(native);
    holder._ctx = new Proxy(native, {
      get(target, key) {
        if (key === "decodeBatch")
          return async () => {
            const start = performance.now();
            try {
              return await decode();
            } finally {
              onDecode(start, performance.now());
            }
          };
        const value = target[key as string];
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
}
