// Remote backend benchmark (issue 14): aggregate tokens/s of 8 agents through llama-server (built from the llama.cpp
// source node-llama-cpp ships) against the same 8 agents through the local backend, on the same random ~85M
// llama and thread count, in interleaved rounds (the machine is shared: only ratios from one run mean anything);
// and the client's own overhead per request, against an in-process server that answers at once. Prints its table
// even when llama-server cannot be built or started (that column then says why).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { BENCH_SPEC, describeSpec } from "../../agents/gguf/randomLlama";
import { benchModel } from "./benchModel";
import { describeDecodeThreads } from "../../agents/runtime/decodeThread";
import { openRuntime, type Runtime } from "../../agents/runtime/runtime";
import { LlamaServer, llamaServerOrWhyNot } from "../remote/llamaServer";

const AGENTS = 8;
const threads = Number(process.env.CL_BENCH_THREADS ?? availableParallelism());
const NTG = Number(process.env.CL_BENCH_NTG ?? 64); // generated tokens per agent
const ROUNDS = Number(process.env.CL_BENCH_ROUNDS ?? 3);
const OVERHEAD_CALLS = Number(process.env.CL_BENCH_OVERHEAD_CALLS ?? 300);
const PROMPT = "Write a short story about a lighthouse keeper who finds a message in a bottle.";

const log = (text: string) => process.stderr.write(`${text}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "—");

/** One round: 8 agents each generate NTG tokens at once; completion tokens per second of wall time. */
async function round(runtime: Runtime, model: Parameters<Runtime["agent"]>[0]["model"], tag: string): Promise<number> {
  const agents = await Promise.all(Array.from({ length: AGENTS }, (_, i) => runtime.agent({ id: `${tag}${i}`, model, sampling: { maxTokens: NTG, ignoreEos: true, seed: i } })));
  try {
    const started = performance.now();
    const results = await Promise.all(agents.map((a) => a.generateText(PROMPT)));
    const seconds = (performance.now() - started) / 1000;
    const bad = results.find((r) => !r.ok);
    if (bad && !bad.ok) throw new Error(`${tag}: ${bad.message}`);
    return results.reduce((sum, r) => sum + r.usage.completionTokens, 0) / seconds;
  } finally {
    for (const a of agents) await a.dispose();
  }
}

/**
 * The client's overhead per request: our remote agent's call against an in-process server that streams NTG
 * ready-made events at once, minus a bare fetch that reads the same stream — measured alternately.
 */
async function clientOverhead(): Promise<{ ours: number; bare: number }> {
  const events =
    Array.from({ length: NTG }, () => `data: ${JSON.stringify({ model: "m", choices: [{ index: 0, delta: { content: " tok" }, finish_reason: null }] })}\n\n`).join("") +
    `data: ${JSON.stringify({ model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 20, completion_tokens: NTG } })}\n\ndata: [DONE]\n\n`;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.url?.endsWith("/models")) return void res.writeHead(200, { "content-type": "application/json" }).end('{"data":[{"id":"m"}]}');
      res.writeHead(200, { "content-type": "text/event-stream" }).end(events);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const runtime = await openRuntime({ model: "tiny", threads: 1, gpu: false }, { loadDefaultModel: false });
  try {
    const agent = await runtime.agent({ id: "o", model: { backend: "openai", baseUrl, model: "m" }, sampling: { maxTokens: NTG } });
    const bare = async () => {
      const response = await fetch(`${baseUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m", messages: [{ role: "user", content: PROMPT }], stream: true }) });
      await response.text();
    };
    const ours: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 20; i++) await Promise.all([agent.generateText(PROMPT), bare()]); // warm-up
    for (let i = 0; i < OVERHEAD_CALLS; i++) {
      let t = performance.now();
      await agent.generateText(PROMPT);
      ours.push(performance.now() - t);
      t = performance.now();
      await bare();
      plain.push(performance.now() - t);
    }
    return { ours: median(ours), bare: median(plain) };
  } finally {
    await runtime.dispose();
    await new Promise((r) => server.close(r));
  }
}

async function main(): Promise<void> {
  const modelPath = await benchModel(log);
  const local = await openRuntime({ model: modelPath, threads, gpu: false, agentsPerContext: AGENTS, decoding: "batched", contextSize: 1024 });
  let server: LlamaServer | undefined;
  let unavailable = "";
  try {
    const found = await llamaServerOrWhyNot(log);
    if ("missing" in found) unavailable = found.missing.split("\n")[0]!;
    else server = await LlamaServer.start(found.binary, { model: modelPath, slots: AGENTS, threads, contextPerSlot: 1024 });
  } catch (error) {
    unavailable = (error as Error).message.split("\n")[0]!;
  }
  const localRates: number[] = [];
  const remoteRates: number[] = [];
  try {
    const remote = await openRuntime({ model: "tiny", threads: 1, gpu: false }, { loadDefaultModel: false });
    try {
      for (let r = 0; r < ROUNDS; r++) {
        localRates.push(await round(local, undefined, `l${r}-`));
        log(`round ${r + 1}: local ${f(localRates.at(-1)!)} tok/s`);
        if (server && !unavailable) {
          try {
            remoteRates.push(await round(remote, { backend: "openai", baseUrl: server.baseUrl, model: "bench", maxConcurrent: AGENTS }, `r${r}-`));
            log(`round ${r + 1}: llama-server ${f(remoteRates.at(-1)!)} tok/s`);
          } catch (error) {
            unavailable = `llama-server failed: ${(error as Error).message.split("\n")[0]}`;
          }
        }
      }
    } finally {
      await remote.dispose();
    }
  } finally {
    await local.dispose();
    await server?.stop();
  }
  const overhead = await clientOverhead();
  const localTps = median(localRates);
  const remoteTps = median(remoteRates);
  console.log(`\nRemote backend — ${describeSpec(BENCH_SPEC)}, ${AGENTS} agents × ${NTG} generated tokens, ${threads} thread(s), median of ${ROUNDS} interleaved rounds; the local backend ${describeDecodeThreads()}`);
  console.log(`${"".padEnd(44)}${"tok/s".padStart(8)}${"ratio".padStart(8)}`);
  console.log(`${"local backend (batched, one context)".padEnd(44)}${f(localTps).padStart(8)}${"1.00".padStart(8)}`);
  if (unavailable) console.log(`${"llama-server (8 slots), remote backend".padEnd(44)}unavailable: ${unavailable}`);
  else console.log(`${"llama-server (8 slots), remote backend".padEnd(44)}${f(remoteTps).padStart(8)}${f(remoteTps / localTps, 2).padStart(8)}`);
  console.log(`\nclient overhead per request (${NTG}-event stream from an in-process server, median of ${OVERHEAD_CALLS}):`);
  console.log(`  our remote agent ${f(overhead.ours, 2)} ms − bare fetch of the same stream ${f(overhead.bare, 2)} ms = ${f(overhead.ours - overhead.bare, 2)} ms (target < 2 ms)`);
  console.log(`machine load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
}

await main();
