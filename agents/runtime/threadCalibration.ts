// A short decode at each candidate thread count, on the model just loaded, so "auto" threads are chosen by what
// this machine does now rather than by the load average alone (a second thread that has to be started at every
// decode, or that waits for a busy core, can make decoding many times slower). One token at a time, like an
// agent generating; the counts alternate so a change of load hits both alike. About 2 × ROUNDS token decodes.
import type { LlamaModel, Token } from "node-llama-cpp";
import type { CalibrationSample } from "./threadChoice";

const ROUNDS = 6;

export async function measureThreads(model: LlamaModel, candidates: number[], signal?: AbortSignal): Promise<CalibrationSample[]> {
  const contexts = await Promise.all(candidates.map((threads) => model.createContext({ contextSize: 64, sequences: 1, threads })));
  try {
    const sequences = contexts.map((c) => c.getSequence());
    // Any token of the vocabulary does: only the time of a decode matters here.
    const token = (model.tokens.bos ?? model.tokenize("a")[0] ?? 0) as Token;
    const times: number[][] = candidates.map(() => []);
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [i, sequence] of sequences.entries()) {
        if (signal?.aborted) throw signal.reason;
        const started = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens([token]);
        // The first round allocates buffers (and starts a thread pool): not counted.
        if (round > 0) times[i]!.push(performance.now() - started);
      }
    }
    return candidates.map((threads, i) => ({ threads, msPerToken: median(times[i]!) }));
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
