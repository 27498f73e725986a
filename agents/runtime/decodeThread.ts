// How this process's llama.cpp decodes are scheduled, for the log and the manifest: on one libuv worker (one
// OpenMP team) when the process was started with UV_THREADPOOL_SIZE=1, as the engine process is, or on any of
// several. Why it matters, with the measurements: engine/decodingEnv.ts (which sets it; it lives beside the
// engine client because the editor's bundle carries that client and none of the runtime).
const POOL = "UV_THREADPOOL_SIZE";

export function describeDecodeThreads(env: NodeJS.ProcessEnv = process.env): string {
  const pool = env[POOL];
  if (pool === "1") return `decodes on one libuv worker (${POOL}=1)`;
  const size = pool ? `${pool} libuv workers (${POOL}=${pool})` : `libuv's 4 workers (${POOL} unset)`;
  return `decodes on any of ${size}: slower with OpenMP at 2 or more threads; the engine process sets ${POOL}=1`;
}
