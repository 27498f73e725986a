// A short decode at each candidate thread count, on the model just loaded, so "auto" threads are chosen by what
// this machine does now rather than by the load average alone (a second thread that has to be started at every
// decode, or that waits for a busy core, can make decoding many times slower). One token at a time, like an
// agent generating; the counts alternate so a change of load hits both alike. A few seconds at most on a busy
// machine (where a second thread's decode can take over a second), well under one on an idle one.
import type { LlamaModel, Token } from "node-llama-cpp";
import type { CalibrationSample } from "./threadChoice";

/** Decodes per count after the warm-up: at least MIN_ROUNDS, more while the whole stays under BUDGET_MS. */
const MIN_ROUNDS = 3;
const MAX_ROUNDS = 6;
const BUDGET_MS = 2000;

export async function measureThreads(model: LlamaModel, candidates: number[], signal?: AbortSignal): Promise<CalibrationSample[]> {
  const contexts = await Promise.all(candidates.map((threads) => model.createContext({ contextSize: 64, sequences: 1, threads })));
  try {
    const sequences = contexts.map((c) => c.getSequence());
    // Any token of the vocabulary does: only the time of a decode matters here.
    const token = (model.tokens.bos ?? model.tokenize("a")[0] ?? 0) as Token;
    const decode = async (i: number) => {
      if (signal?.aborted) throw signal.reason;
      const started = performance.now();
      await sequences[i]!.evaluateWithoutGeneratingNewTokens([token]);
      return performance.now() - started;
    };
    // Warm-up, not counted: the first decodes page the weights in, allocate buffers and start thread pools
    // (measured on the bench model: 736, 335, 163 ms, then 46–70 ms).
    for (let warm = 0; warm < 2; warm++) for (const i of candidates.keys()) await decode(i);
    const times: number[][] = candidates.map(() => []);
    const started = performance.now();
    for (let round = 0; round < MAX_ROUNDS && (round < MIN_ROUNDS || performance.now() - started < BUDGET_MS); round++) {
      for (const i of candidates.keys()) times[i]!.push(await decode(i));
    }
    return candidates.map((threads, i) => ({ threads, msPerToken: median(times[i]!) }));
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
