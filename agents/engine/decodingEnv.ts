// Every llama.cpp decode of a process on one thread. node-llama-cpp runs each decode and each sampling step as an
// N-API AsyncWorker on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), on whichever
// worker is free. With OpenMP (the native build) every thread that starts a parallel region gets its own OpenMP
// team, so the decodes of one agent end up on four teams; once libgomp manages more threads than the machine has
// CPUs it cuts the spin at each barrier (llama.cpp passes hundreds per decode) from 300,000 iterations to 100
// (libgomp's do_spin, gomp_throttled_spin_count_var) and then sleeps in the kernel: a decode pays many wake-ups.
// Measured with test/bench/oneAgentProbe.bench.ts (bench model, one agent, 2 threads on 2 cores, native build):
// 16 OS threads of which 8 busy, 13.6 ms per decode; with a pool of one worker 2 busy threads (one team), 10.5 ms,
// and 25% more tokens/s. GOMP_SPINCOUNT, which does not change the reduced spin, changed nothing;
// OMP_WAIT_POLICY=active, which lengthens it to 1,000, recovered most of it.
//
// libuv reads UV_THREADPOOL_SIZE once, when its pool starts, which in Node can be before any of our code runs (the
// module loader reads files through the pool), so it is set in the environment of the process that will decode,
// when it is spawned: the engine process (engineClient.ts) and the benchmark's runtime processes. The cost:
// that process's other pool work (file reads and writes, DNS lookups) waits for a decode in progress.
export const DECODE_POOL_VARIABLE = "UV_THREADPOOL_SIZE";

/** The environment for a process that decodes: `env` with libuv's pool set to one worker. */
export function decodingProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, [DECODE_POOL_VARIABLE]: "1" };
}
