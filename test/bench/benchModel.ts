// The benchmarks' model: the random ~85M-parameter llama of BENCH_SPEC, written once into the user's cache.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { BENCH_SPEC, describeSpec, writeRandomLlama } from "../../agents/gguf/randomLlama";
import { cultureLabCache } from "../../agents/native/llamaCppSource";

export async function benchModel(log: (line: string) => void): Promise<string> {
  const dir = join(cultureLabCache(), "models");
  const path = join(dir, `bench-d${BENCH_SPEC.dim}-l${BENCH_SPEC.layers}-${BENCH_SPEC.type}.gguf`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    log(`writing ${describeSpec(BENCH_SPEC)} to ${path}`);
    await writeRandomLlama(path, BENCH_SPEC);
  }
  return path;
}
